import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { knownVodEventType } from '../../lib/events/vod-event-types'
import * as local from '../../lib/local/local-dynamodb'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { SNAPSHOT_EVENT, validCallbacks } from '../support/callback-arbitraries'
import {
  arbitraryRequests,
  type CallbackRequest,
  mutatedCallbacks,
} from '../support/callback-mutations'
import { captureLogger } from '../support/capture-logger'
import { callbackEvent, lambdaContext } from '../support/http-event'
import { memoryQuarantine } from '../support/memory-quarantine'
import { countItems, emptyTable, itemsOfTask, rawSnapshotItem } from '../support/table-reads'

const TOKEN = 'property-token-0123456789'
const TABLE = 'vod-snapshots-properties'
const RECEIVED_AT = '2026-11-24T03:00:00.000Z'
// Over 1,000 generated callbacks per run, each against the real table.
const RUNS = { valid: 500, arbitrary: 500, mutated: 600 }
const ran = { valid: 0, arbitrary: 0, mutated: 0 }
const TIMEOUT_MS = 120_000

let db: local.LocalDynamoDB
let raw: DynamoDBClient
const logger = captureLogger()
const quarantine = memoryQuarantine()
let handler: ReturnType<typeof createCallbackHandler>

beforeAll(async () => {
  db = await local.startDynalite()
  raw = local.localClient(db.endpoint)
  await local.createSnapshotsTable(db.endpoint, TABLE)
  handler = createCallbackHandler({
    config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN }),
    client: raw,
    quarantine,
    logger,
    now: () => new Date(RECEIVED_AT),
  })
})

afterAll(async () => {
  const total = ran.valid + ran.arbitrary + ran.mutated
  console.info(`generated callbacks run: ${total} (${JSON.stringify(ran)})`)
  raw?.destroy()
  await db?.close()
})

/** One request through the real function; the log starts empty for each. */
function send({ body, isBase64Encoded = false }: CallbackRequest) {
  logger.lines.length = 0
  quarantine.kept.length = 0
  return handler(callbackEvent(body, { token: TOKEN, isBase64Encoded }), lambdaContext())
}

/** The body as the quarantine keeps it: text when it is UTF-8, else base64 of its bytes. */
function keptForm({ body = '', isBase64Encoded }: CallbackRequest): [string, string] {
  if (!isBase64Encoded) return [body, 'utf8']
  const bytes = Buffer.from(body, 'base64')
  try {
    return [new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'utf8']
  } catch {
    return [bytes.toString('base64'), 'base64']
  }
}

/** What a 200 must say about a body, worked out from the body alone as docs/contract.md documents. */
function acknowledgementOf({ body = '', isBase64Encoded }: CallbackRequest) {
  const parsed = JSON.parse(isBase64Encoded ? Buffer.from(body, 'base64').toString() : body)
  // v3.0 names its event type `EventType`, the legacy format `eventType`.
  const v3 = typeof parsed.EventType === 'string'
  const type = v3 ? parsed.EventType : parsed.eventType
  if (type !== SNAPSHOT_EVENT) {
    // Only an event type VOD documents is echoed: anything else may be what the sender chose.
    return { code: 0, ignored: knownVodEventType(type) ?? '(not an event type VOD documents)' }
  }
  const list: Record<string, unknown>[] = v3
    ? parsed.SnapshotByTimeOffsetCompleteEvent.SnapshotInfoSet
    : parsed.data.picInfo
  const offsets = new Set(list.map((result) => (v3 ? result.TimeOffset : result.timeOffset)))
  return { code: 0, stored: offsets.size }
}

/**
 * The contract for any request: 200, 400, 413 or 422 with a JSON body that has a code and a
 * message; nothing stored unless 200; a 200 stores one item per distinct offset.
 */
async function answersWithinContract(request: CallbackRequest) {
  const response = await send(request)
  const stored = await countItems(raw, TABLE)
  try {
    expect([200, 400, 413, 422]).toContain(response?.statusCode)
    expect(response?.headers?.['Content-Type']).toBe('application/json')
    const answer = JSON.parse(String(response?.body))
    if (response?.statusCode === 200) {
      expect(answer).toStrictEqual(acknowledgementOf(request))
      expect(stored).toBe(answer.stored ?? 0)
    } else {
      expect(answer).toStrictEqual({
        code: response?.statusCode,
        message: expect.any(String),
        problems: expect.arrayContaining([expect.any(String)]),
      })
      expect(stored).toBe(0)
      // Authenticated and rejected: kept whole, exactly as it came, for a replay (an empty
      // body holds nothing to keep).
      expect(quarantine.kept.map((entry) => [entry.body, entry.bodyEncoding])).toStrictEqual(
        request.body ? [keptForm(request)] : [],
      )
    }
    expect(logger.lines.filter((line) => line.level === 'ERROR')).toStrictEqual([])
  } finally {
    if (stored > 0) await emptyTable(raw, TABLE)
  }
}

/** The valid callbacks: a task ID holds no `#` (it builds the task flows' keys). */
const validCallbacksWithoutHash = validCallbacks.filter(
  (callback) => !callback.vodTaskId.includes('#'),
)

describe('any valid callback, in either format', () => {
  it(
    'stores exactly its results, one item per offset, a success winning over a failure',
    async () => {
      await fc.assert(
        fc.asyncProperty(validCallbacksWithoutHash, async (callback) => {
          ran.valid++
          try {
            const response = await send({ body: JSON.stringify(callback.body) })

            const stored = callback.expected.length
            expect(response).toStrictEqual({
              statusCode: 200,
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ code: 0, stored }),
            })
            const items = callback.expected.map((shot) => rawSnapshotItem(shot, RECEIVED_AT))
            expect(await itemsOfTask(raw, TABLE, callback.vodTaskId)).toStrictEqual(items)
            expect(await countItems(raw, TABLE)).toBe(stored)
          } finally {
            await emptyTable(raw, TABLE)
          }
        }),
        { numRuns: RUNS.valid },
      )
      console.info(`valid callbacks: ${ran.valid} run`)
    },
    TIMEOUT_MS,
  )
})

describe('a valid callback whose task ID holds a "#"', () => {
  it(
    'is rejected with 422 naming the task ID, stores nothing and is kept whole',
    async () => {
      const withHash = fc
        .record({ callback: validCallbacks, at: fc.nat() })
        .map(({ callback, at }) => {
          const body = structuredClone(callback.body) as Record<string, Record<string, unknown>>
          const legacy = callback.format === 'legacy'
          const event = (legacy ? body.data : body.SnapshotByTimeOffsetCompleteEvent) ?? {}
          const name = legacy ? 'vodTaskId' : 'TaskId'
          // One code point becomes "#": the ID stays well-formed and no longer in bytes.
          const id = [...callback.vodTaskId]
          id[at % id.length] = '#'
          event[name] = id.join('')
          return {
            body: JSON.stringify(body),
            path: legacy ? 'data.vodTaskId' : 'SnapshotByTimeOffsetCompleteEvent.TaskId',
          }
        })
      await fc.assert(
        fc.asyncProperty(withHash, async ({ body, path }) => {
          const response = await send({ body })
          const stored = await countItems(raw, TABLE)
          try {
            expect(response?.statusCode).toBe(422)
            expect(JSON.parse(String(response?.body))).toStrictEqual({
              code: 422,
              message: expect.any(String),
              problems: [`${path}: the task ID must not contain "#"`],
            })
            expect(stored).toBe(0)
            expect(quarantine.kept.map((entry) => entry.body)).toStrictEqual([body])
          } finally {
            if (stored > 0) await emptyTable(raw, TABLE)
          }
        }),
        { numRuns: 100 },
      )
    },
    TIMEOUT_MS,
  )
})

describe('any request at all', () => {
  it(
    'answers arbitrary JSON, text and bytes within the contract, storing only what a 200 says',
    async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryRequests, async (request) => {
          ran.arbitrary++
          await answersWithinContract(request)
        }),
        { numRuns: RUNS.arbitrary },
      )
      console.info(`arbitrary requests: ${ran.arbitrary} run`)
    },
    TIMEOUT_MS,
  )

  it(
    'answers a broken valid callback within the contract and stores nothing unless 200',
    async () => {
      await fc.assert(
        fc.asyncProperty(mutatedCallbacks, async (request) => {
          ran.mutated++
          await answersWithinContract(request)
        }),
        { numRuns: RUNS.mutated },
      )
      console.info(`mutated callbacks: ${ran.mutated} run`)
    },
    TIMEOUT_MS,
  )
})
