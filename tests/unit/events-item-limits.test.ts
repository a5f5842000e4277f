import { describe, expect, it } from 'vitest'
import { toFallbackMessages } from '../../lib/durability/fallback-message'
import { parseCallback } from '../../lib/events/parse-callback'
import {
  MAX_FALLBACK_MESSAGE_BYTES,
  MAX_ITEM_BYTES,
  MAX_PARTITION_KEY_BYTES,
  MAX_SESSION_BYTES,
  MAX_URL_BYTES,
  MAX_WATERMARK_DEFINITIONS,
} from '../../lib/events/snapshot-result'
import { type SnapshotItem, toSnapshotItem } from '../../lib/store/snapshot-item'
import { fixture } from '../support/fixtures'
import { problemsOf } from '../support/parse-problems'

type Picture = { TimeOffset: number; Url: string; WaterMarkDefinition: number[] }
type V3Body = {
  ProcedureStateChangeEvent: Record<string, unknown> & {
    MediaProcessResultSet: Record<string, unknown>[]
  }
}

/**
 * DynamoDB's size of a value, as its documentation counts: a string its UTF-8 bytes, a number
 * at most 21 bytes, a list 3 bytes and 1 more per element.
 */
function dynamoDBValueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value)
  if (typeof value === 'number') return 21
  if (typeof value === 'boolean' || value === null) return 1
  if (Array.isArray(value)) {
    return 3 + value.reduce((sum: number, element) => sum + 1 + dynamoDBValueBytes(element), 0)
  }
  throw new Error(`no size for ${typeof value}`)
}

/** DynamoDB's size of an item: every attribute's name and value. */
const dynamoDBItemBytes = (item: Record<string, unknown>) =>
  Object.entries(item)
    .filter(([, value]) => value !== undefined)
    .reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + dynamoDBValueBytes(value), 0)

// A control character: 1 byte in DynamoDB, 6 in JSON ("\u0001"), the worst for both.
const filler = (bytes: number) => '\u0001'.repeat(bytes)
const WIDEST_INTEGER = -Number.MAX_SAFE_INTEGER // 17 characters of JSON
const WIDEST_OFFSET = 0.0000012345678901234567 // 24 characters of JSON
const LAST_DATE = '+275760-09-13T00:00:00.000Z'

/** The v3.0 snapshot example with one picture whose every field is at its cap. */
function worstBody(watermarks: number): V3Body {
  const body = fixture<V3Body>('v3-procedure-snapshot')
  const event = body.ProcedureStateChangeEvent
  // The key `<TaskId>#<definition>` at its cap: 2,048 bytes.
  event.TaskId = filler(MAX_PARTITION_KEY_BYTES - `#${WIDEST_INTEGER}`.length)
  event.FileId = filler(MAX_PARTITION_KEY_BYTES)
  event.SessionContext = filler(MAX_SESSION_BYTES)
  event.SessionId = filler(MAX_SESSION_BYTES)
  const subtask = event.MediaProcessResultSet[2] as {
    SnapshotByTimeOffsetTask: { Input: { Definition: number }; Output: { PicInfoSet: Picture[] } }
  }
  subtask.SnapshotByTimeOffsetTask.Input.Definition = WIDEST_INTEGER
  subtask.SnapshotByTimeOffsetTask.Output.PicInfoSet = [
    {
      TimeOffset: WIDEST_OFFSET,
      Url: filler(MAX_URL_BYTES),
      WaterMarkDefinition: Array.from({ length: watermarks }, () => WIDEST_INTEGER),
    },
  ]
  return body
}

describe('the most watermark definitions a screenshot may list', () => {
  it('is 794: what one fallback message holds beside every other field at its cap', () => {
    expect(MAX_WATERMARK_DEFINITIONS).toBe(794)
    expect([MAX_ITEM_BYTES, MAX_FALLBACK_MESSAGE_BYTES]).toStrictEqual([409_600, 200_000])
  })

  it('gives the worst item every cap allows a size DynamoDB and the fallback queue both take', () => {
    const parsed = parseCallback(worstBody(MAX_WATERMARK_DEFINITIONS))
    if (parsed.kind !== 'snapshots') throw new Error('not stored')
    expect(parsed.results).toHaveLength(1)
    const result = parsed.results[0] as (typeof parsed.results)[number]
    expect(Buffer.byteLength(result.vodTaskId)).toBe(MAX_PARTITION_KEY_BYTES)
    // A failure's code may be as wide as any integer; an expiry is added with RESULT_TTL_DAYS.
    const item: SnapshotItem = {
      ...toSnapshotItem({ ...result, status: WIDEST_INTEGER }, LAST_DATE),
      expiresAt: Number.MAX_SAFE_INTEGER,
    }
    expect(Object.keys(item).sort()).toStrictEqual(
      [
        ...['definition', 'eventType', 'expiresAt', 'fileId', 'procedureTaskId', 'receivedAt'],
        ...['sessionContext', 'sessionId', 'status', 'timeOffset', 'url', 'vodTaskId'],
        'watermarkDefinitions',
      ].sort(),
    )

    const itemBytes = dynamoDBItemBytes(item)
    const messages = toFallbackMessages([item])
    const messageBytes = Buffer.byteLength(JSON.stringify(messages[0]))

    expect(itemBytes).toBeLessThan(MAX_ITEM_BYTES)
    expect(messages).toHaveLength(1)
    expect(messageBytes).toBeLessThanOrEqual(MAX_FALLBACK_MESSAGE_BYTES)
    // Not far below the limit either: about the 1 KB kept in reserve is left.
    expect(MAX_FALLBACK_MESSAGE_BYTES - messageBytes).toBeLessThan(1500)
  })

  it('refuses one more, naming the path', () => {
    expect(problemsOf(worstBody(MAX_WATERMARK_DEFINITIONS + 1))).toStrictEqual([
      'ProcedureStateChangeEvent.MediaProcessResultSet.2.SnapshotByTimeOffsetTask.Output.PicInfoSet.0.WaterMarkDefinition: must hold at most 794 definitions',
    ])
  })

  it('refuses a picture with 55,000 watermark definitions, which could never be written', () => {
    const body = fixture<V3Body>('v3-procedure-snapshot')
    const subtask = body.ProcedureStateChangeEvent.MediaProcessResultSet[2] as {
      SnapshotByTimeOffsetTask: { Output: { PicInfoSet: Picture[] } }
    }
    const picture = subtask.SnapshotByTimeOffsetTask.Output.PicInfoSet[0] as Picture
    picture.WaterMarkDefinition = Array.from({ length: 55_000 }, (_, i) => i)
    expect(problemsOf(body)).toStrictEqual([
      'ProcedureStateChangeEvent.MediaProcessResultSet.2.SnapshotByTimeOffsetTask.Output.PicInfoSet.0.WaterMarkDefinition: must hold at most 794 definitions',
    ])
  })
})
