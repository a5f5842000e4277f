import fc from 'fast-check'
import {
  type GeneratedCallback,
  MAX_KEY_BYTES,
  SNAPSHOT_EVENT,
  stringOfBytes,
  taskIds,
  validCallbacks,
} from './callback-arbitraries'

/** What reaches the function: the body as API Gateway hands it over. */
export interface CallbackRequest {
  body: string | undefined
  isBase64Encoded?: boolean
}

type Json = Record<string, unknown>
type Level = 'top' | 'event' | 'result'

const NAMES = {
  legacy: {
    top: ['version', 'eventType', 'data'],
    event: ['vodTaskId', 'fileId', 'definition', 'picInfo'],
    result: ['timeOffset', 'status'],
  },
  v3: {
    top: ['EventType', 'SnapshotByTimeOffsetCompleteEvent'],
    event: ['TaskId', 'FileId', 'Definition', 'SnapshotInfoSet'],
    result: ['TimeOffset', 'ErrCode'],
  },
} as const

const anyJson = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' })
const levels = fc.constantFrom<Level>('top', 'event', 'result')
/** Usually a value of the right kind; sometimes left out (undefined), sometimes any JSON. */
const mostly = <T>(right: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: right, weight: 12 }, fc.constant(undefined), anyJson)
const pick = <T>(list: readonly T[], n: number) => list[n % list.length] as T

/** A deep copy of the body, its event object and one of its results (undefined: there are none). */
function open(callback: GeneratedCallback, index: number) {
  const body = structuredClone(callback.body) as Json
  const names = NAMES[callback.format]
  const event = body[names.top.at(-1) as string] as Json
  const list = event[names.event[3]] as Json[]
  return { body, names, event, list, result: list.length > 0 ? pick(list, index) : undefined }
}

const objectAt = (o: ReturnType<typeof open>, level: Level) =>
  level === 'top' ? o.body : level === 'event' ? o.event : (o.result ?? o.event)

type Mutation = (callback: GeneratedCallback) => CallbackRequest
const text = (body: unknown): CallbackRequest => ({ body: JSON.stringify(body) })
/** A mutation whose parameters fast-check generates (and shrinks). */
const mutation = <T>(
  parameters: fc.Arbitrary<T>,
  apply: (m: T, c: GeneratedCallback) => CallbackRequest,
): fc.Arbitrary<Mutation> => parameters.map((m) => (c: GeneratedCallback) => apply(m, c))

/** Each way a valid callback can be broken; some of them happen to leave it valid. */
const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  mutation(fc.record({ level: levels, n: fc.nat(), i: fc.nat() }), ({ level, n, i }, c) => {
    const o = open(c, i)
    delete objectAt(o, level)[pick(o.names[level], n)]
    return text(o.body)
  }),
  mutation(fc.record({ level: levels, n: fc.nat(), i: fc.nat(), value: anyJson }), (m, c) => {
    const o = open(c, m.i)
    objectAt(o, m.level)[pick(o.names[m.level], m.n)] = m.value
    return text(o.body)
  }),
  mutation(
    fc.record({
      i: fc.nat(),
      offset: fc.oneof(
        fc.integer({ max: -1 }),
        fc.double({ noInteger: true }),
        fc.constantFrom(2 ** 53, 1e21, Number.MAX_SAFE_INTEGER + 2, -0.5, '1000', null, true),
      ),
    }),
    ({ i, offset }, c) => {
      const o = open(c, i)
      const target = o.result ?? { [o.names.result[1]]: 0 }
      if (!o.result) o.list.push(target)
      target[o.names.result[0]] = offset
      return text(o.body)
    },
  ),
  mutation(
    fc.record({
      which: fc.constantFrom(0, 1),
      id: fc.constantFrom('', stringOfBytes('a', MAX_KEY_BYTES + 1), stringOfBytes('😀', 2052)),
    }),
    ({ which, id }, c) => {
      const o = open(c, 0)
      o.event[o.names.event[which]] = id
      return text(o.body)
    },
  ),
  mutation(
    fc.record({
      level: levels,
      key: fc.constantFrom('__proto__', 'constructor'),
      value: fc.constantFrom({}, { prototype: {} }, 'x', null, { polluted: true }),
    }),
    ({ level, key, value }, c) => {
      const o = open(c, 0)
      Object.defineProperty(objectAt(o, level), key, { value, enumerable: true })
      return text(o.body)
    },
  ),
  mutation(fc.record({ level: levels, i: fc.nat() }), ({ level, i }, c) => {
    const o = open(c, i)
    if (level === 'top') return text([o.body])
    if (level === 'event') o.body[o.names.top.at(-1) as string] = [o.event]
    else if (o.result) o.list[o.list.indexOf(o.result)] = [o.result] as unknown as Json
    else o.event[o.names.event[3]] = { ...o.list }
    return text(o.body)
  }),
  mutation(fc.integer({ min: 1, max: 6000 }), (depth, c) => {
    const o = open(c, 0)
    o.event.nested = 'DEPTH'
    const nested = '['.repeat(depth) + ']'.repeat(depth)
    return { body: JSON.stringify(o.body).replace('"DEPTH"', nested) }
  }),
  mutation(fc.nat(), (n, c) => {
    const whole = JSON.stringify(c.body)
    return { body: whole.slice(0, n % whole.length) }
  }),
  fc.constant((c: GeneratedCallback) => text({ ...c.body, padding: 'x'.repeat(1024 * 1024) })),
)

/** Valid callbacks broken one way, sent as text or base64-encoded. */
export const mutatedCallbacks: fc.Arbitrary<CallbackRequest> = fc
  .tuple(validCallbacks, mutations, fc.boolean())
  .map(([callback, mutate, base64]) => {
    const request = mutate(callback)
    if (!base64 || request.body === undefined) return request
    return { body: Buffer.from(request.body).toString('base64'), isBase64Encoded: true }
  })

/** Bodies of any kind: JSON of any shape, snapshot-shaped JSON with random fields, text, bytes. */
export const arbitraryRequests: fc.Arbitrary<CallbackRequest> = fc.oneof(
  anyJson.map(text),
  fc
    .record({
      key: fc.constantFrom('eventType', 'EventType'),
      type: fc.oneof(fc.string({ unit: 'binary' }), anyJson),
      rest: fc.dictionary(fc.string({ unit: 'binary' }), anyJson, { maxKeys: 4 }),
    })
    .map(({ key, type, rest }) => text({ ...rest, [key]: type })),
  {
    weight: 3,
    arbitrary: fc
      .record({
        legacy: fc.boolean(),
        version: mostly(fc.constantFrom('4.0', 4)),
        task: mostly(taskIds),
        file: mostly(fc.stringMatching(/^[0-9]{1,20}$/)),
        definition: mostly(fc.integer()),
        results: fc.array(
          fc.record({
            offset: mostly(fc.oneof(fc.nat(9), fc.integer())),
            status: mostly(fc.integer()),
            url: mostly(fc.oneof(fc.webUrl(), fc.constantFrom(null, ''))),
          }),
          { maxLength: 30 },
        ),
        // Rarely: no list at all, something else in its place.
        notAList: fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, anyJson),
      })
      .map(({ legacy, version, task, file, definition, results, notAList }) => {
        const list =
          notAList !== undefined
            ? notAList
            : results.map(({ offset, status, url }) =>
                legacy
                  ? { timeOffset: offset, status, url }
                  : { TimeOffset: offset, ErrCode: status, Url: url },
              )
        if (legacy) {
          const data = { vodTaskId: task, fileId: file, definition, picInfo: list }
          return text({ version, eventType: SNAPSHOT_EVENT, data })
        }
        const event = { TaskId: task, FileId: file, Definition: definition, SnapshotInfoSet: list }
        return text({ EventType: SNAPSHOT_EVENT, SnapshotByTimeOffsetCompleteEvent: event })
      }),
  },
  fc.string({ unit: 'binary' }).map((body) => ({ body })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({
    body: Buffer.from(bytes).toString('base64'),
    isBase64Encoded: true,
  })),
  fc.string({ unit: 'binary-ascii' }).map((body) => ({ body, isBase64Encoded: true })),
  fc.constant({ body: undefined }),
)
