import fc from 'fast-check'
import type { ExpectedSnapshot } from './table-reads'

export const SNAPSHOT_EVENT = 'CreateSnapshotByTimeOffsetComplete'
/** DynamoDB's partition-key limit, which the task ID (and the file ID, a GSI key) must respect. */
export const MAX_KEY_BYTES = 2048
const MAX_URL_BYTES = 16_384
const LONGEST_URL = `https://vod.example/${'a'.repeat(MAX_URL_BYTES - 20)}`

/** The `...Event` keys the v3.0 docs show next to the snapshot event, each null or absent. */
const V3_SIBLINGS = [
  'FileUploadEvent',
  'ProcedureStateChangeEvent',
  'FileDeleteEvent',
  'PullCompleteEvent',
  'EditMediaComplete',
  'WechatPublishComplete',
  'TranscodeCompleteEvent',
  'ConcatCompleteEvent',
  'ClipCompleteEvent',
  'CreateImageSpriteCompleteEvent',
]

// Names the function reads (in either format), and `__proto__` (a documented 400): not "unknown".
const KNOWN_KEYS = new Set([
  ...['version', 'eventType', 'data', 'vodTaskId', 'fileId', 'definition', 'picInfo'],
  ...['timeOffset', 'status', 'url', 'EventType', 'SnapshotByTimeOffsetCompleteEvent'],
  ...['TaskId', 'FileId', 'Definition', 'SnapshotInfoSet', 'TimeOffset', 'ErrCode', 'Url'],
  '__proto__',
])

/** A string of exactly `bytes` UTF-8 bytes made of `char`, topped up with 'a'. */
export function stringOfBytes(char: string, bytes: number): string {
  const repeated = char.repeat(Math.floor(bytes / Buffer.byteLength(char)))
  return repeated + 'a'.repeat(bytes - Buffer.byteLength(repeated))
}

// No `prototype` key either: middy's parser answers 400 to a `constructor` object holding one,
// which docs/contract.md does not document (see the issue notes); `constructor` itself is kept.
const unknownFields = fc.dictionary(
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }).filter((key) => !KNOWN_KEYS.has(key)),
    fc.constantFrom('constructor', 'toString', 'hasOwnProperty'),
  ),
  fc
    .jsonValue({ maxDepth: 2, stringUnit: 'binary' })
    .filter((value) => !/"(__proto__|prototype)":/.test(JSON.stringify(value))),
  { maxKeys: 3 },
)

/**
 * Whether a string is one the function stores: well-formed Unicode without U+FFFD (what invalid
 * bytes became on the way; docs/contract.md's "Limits checked").
 */
export const storable = (text: string): boolean => !/[\uD800-\uDFFF\uFFFD]/u.test(text)

export const taskIds = fc.oneof(
  fc.stringMatching(/^CreateSnapshotByTimeOffset-[0-9a-f]{32}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter(storable),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter(storable),
  fc.constantFrom('a', 'é', '中', '😀').map((char) => stringOfBytes(char, MAX_KEY_BYTES)),
)

const fileIds = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 20 }),
  fc.constantFrom('14508071098244929440', '99999999999999999999', '9007199254740993'),
)

const results = fc.record({
  // A small pool as well, so that one callback often repeats an offset.
  timeOffset: fc.oneof(
    { arbitrary: fc.nat(4), weight: 2 },
    { arbitrary: fc.constantFrom(0, 3123213, Number.MAX_SAFE_INTEGER), weight: 1 },
    { arbitrary: fc.maxSafeNat(), weight: 2 },
  ),
  status: fc.oneof(
    { arbitrary: fc.constant(0), weight: 4 },
    { arbitrary: fc.constantFrom(-46204, -44001, 40000, 60000, 70000), weight: 2 },
    { arbitrary: fc.maxSafeInteger(), weight: 1 },
  ),
  // undefined: the key is left out.
  url: fc.oneof(
    { arbitrary: fc.constantFrom(undefined, null, ''), weight: 3 },
    { arbitrary: fc.webUrl(), weight: 3 },
    {
      arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter(storable),
      weight: 1,
    },
  ),
  extra: unknownFields,
})

/** A valid snapshot callback body in either format, and the items it must leave, in key order. */
export interface GeneratedCallback {
  format: 'legacy' | 'v3'
  vodTaskId: string
  body: Record<string, unknown>
  expected: ExpectedSnapshot[]
}

export const validCallbacks: fc.Arbitrary<GeneratedCallback> = fc
  .record({
    format: fc.constantFrom('legacy' as const, 'v3' as const),
    version: fc.constantFrom('4.0', 4),
    vodTaskId: taskIds,
    fileId: fileIds,
    definition: fc.oneof(fc.constantFrom(0, 10, 20), fc.maxSafeInteger()),
    results: fc.array(results, { maxLength: 60, size: 'medium' }),
    longestUrlFirst: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, fc.constant(true)),
    siblings: fc.subarray(V3_SIBLINGS),
    topExtra: unknownFields,
    eventExtra: unknownFields,
  })
  .map((g) => {
    const shots = g.results.map((r, i) =>
      i === 0 && g.longestUrlFirst ? { ...r, url: LONGEST_URL } : r,
    )
    const { vodTaskId, fileId, definition } = g
    const body =
      g.format === 'legacy'
        ? {
            ...g.topExtra,
            version: g.version,
            eventType: SNAPSHOT_EVENT,
            data: {
              ...g.eventExtra,
              ...{ vodTaskId, fileId, definition },
              picInfo: shots.map(({ extra, timeOffset, status, url }) => ({
                ...extra,
                ...{ timeOffset, status },
                ...(url === undefined ? {} : { url }),
              })),
            },
          }
        : {
            ...g.topExtra,
            EventType: SNAPSHOT_EVENT,
            ...Object.fromEntries(g.siblings.map((key) => [key, null])),
            SnapshotByTimeOffsetCompleteEvent: {
              ...g.eventExtra,
              ...{ TaskId: vodTaskId, FileId: fileId, Definition: definition },
              SnapshotInfoSet: shots.map(({ extra, timeOffset, status, url }) => ({
                ...extra,
                ...{ TimeOffset: timeOffset, ErrCode: status },
                ...(url === undefined ? {} : { Url: url }),
              })),
            },
          }
    // As documented: per offset, the last success if there is one, otherwise the last failure
    // with a code (any status but -1), otherwise the last entry.
    const lastSuccess = new Map<number, (typeof shots)[number]>()
    const lastCoded = new Map<number, (typeof shots)[number]>()
    const last = new Map<number, (typeof shots)[number]>()
    for (const shot of shots) {
      if (shot.status === 0) lastSuccess.set(shot.timeOffset, shot)
      else if (shot.status !== -1) lastCoded.set(shot.timeOffset, shot)
      last.set(shot.timeOffset, shot)
    }
    const expected = [...last]
      .sort(([a], [b]) => a - b)
      .map(([offset, lastShot]) => {
        const { timeOffset, status, url } =
          lastSuccess.get(offset) ?? lastCoded.get(offset) ?? lastShot
        const snapshot: ExpectedSnapshot = { vodTaskId, fileId, definition, timeOffset, status }
        if (typeof url === 'string' && url !== '') snapshot.url = url
        return snapshot
      })
    return { format: g.format, vodTaskId, body, expected }
  })
