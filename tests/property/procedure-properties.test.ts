import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCallback } from '../../lib/events/parse-callback'
import * as local from '../../lib/local/local-dynamodb'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { captureLogger } from '../support/capture-logger'
import { callbackEvent, lambdaContext } from '../support/http-event'
import { memoryQuarantine } from '../support/memory-quarantine'
import { type GeneratedProcedure, validProcedures } from '../support/procedure-arbitraries'
import { type ExpectedSnapshot, emptyTable } from '../support/table-reads'

const TOKEN = 'property-token-0123456789'
const TABLE = 'vod-snapshots-procedure-properties'
const RECEIVED_AT = '2026-11-24T03:00:00.000Z'
const RUNS = { valid: 300, mutated: 400 }
const TIMEOUT_MS = 120_000

let db: local.LocalDynamoDB
let raw: DynamoDBClient
let doc: DynamoDBDocumentClient
const logger = captureLogger()
const quarantine = memoryQuarantine()
let handler: ReturnType<typeof createCallbackHandler>

beforeAll(async () => {
  db = await local.startDynalite()
  raw = local.localClient(db.endpoint)
  doc = DynamoDBDocumentClient.from(raw)
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
  doc?.destroy()
  await db?.close()
})

async function send(body: unknown) {
  logger.lines.length = 0
  quarantine.kept.length = 0
  const response = await handler(
    callbackEvent(JSON.stringify(body), { token: TOKEN }),
    lambdaContext(),
  )
  return { statusCode: response.statusCode, answer: JSON.parse(String(response.body)) }
}

/** Every item, numbers as numbers, in the order the generator sorts its expectations. */
async function tableItems(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = []
  for await (const page of paginateScan({ client: doc }, { TableName: TABLE })) {
    items.push(...(page.Items ?? []))
  }
  const order = (item: Record<string, unknown>) => `${item.vodTaskId}\u0000${item.timeOffset}`
  return items.sort((a, b) => (order(a) < order(b) ? -1 : 1))
}

const asItem = (shot: ExpectedSnapshot) => ({ ...shot, receivedAt: RECEIVED_AT })

describe('any valid task flow, in either format', () => {
  it(
    'stores exactly its finished results, item by item, under the key rule',
    async () => {
      await fc.assert(
        fc.asyncProperty(validProcedures, async (procedure: GeneratedProcedure) => {
          try {
            const { statusCode, answer } = await send(procedure.body)

            expect(statusCode).toBe(200)
            expect(answer).toStrictEqual(
              procedure.snapshotSubtasks === 0
                ? { code: 0, ignored: 'ProcedureStateChanged' }
                : { code: 0, stored: procedure.expected.length },
            )
            expect(await tableItems()).toStrictEqual(procedure.expected.map(asItem))
          } finally {
            await emptyTable(raw, TABLE)
          }
        }),
        { numRuns: RUNS.valid },
      )
    },
    TIMEOUT_MS,
  )
})

describe('any valid task flow, parsed', () => {
  it('gives results all `partial` in the legacy format and none in v3.0, keyed as stored', () => {
    fc.assert(
      fc.property(validProcedures, (procedure: GeneratedProcedure) => {
        const parsed = parseCallback(procedure.body)
        if (procedure.snapshotSubtasks === 0) {
          expect(parsed.kind).toBe('ignored')
          return
        }
        if (parsed.kind !== 'snapshots') throw new Error('a snapshot task flow was not parsed')
        expect(parsed.results.map((result) => result.partial)).toStrictEqual(
          parsed.results.map(() => (procedure.partial ? true : undefined)),
        )
        // Every result lands on a key the generator expects, and every expected key has one.
        const keyOf = (shot: { vodTaskId: string; timeOffset: number }) =>
          `${shot.vodTaskId}\u0000${shot.timeOffset}`
        expect(new Set(parsed.results.map(keyOf))).toStrictEqual(
          new Set(procedure.expected.map(keyOf)),
        )
      }),
      { numRuns: RUNS.valid },
    )
  })
})

describe('a valid task flow whose task ID holds a "#"', () => {
  it(
    'is rejected with 422 naming the task ID, and stores nothing',
    async () => {
      const withHash = fc
        .record({
          procedure: validProcedures,
          at: fc.nat(),
          hashes: fc.integer({ min: 1, max: 3 }),
        })
        .map(({ procedure, at, hashes }) => {
          const body = structuredClone(procedure.body) as Json
          const v3 = procedure.format === 'v3'
          const event = (v3 ? body.ProcedureStateChangeEvent : body.data) as Json
          const name = v3 ? 'TaskId' : 'vodTaskId'
          // Cut between code points, so that the ID stays well-formed Unicode.
          const id = [...(event[name] as string)]
          const cut = at % (id.length + 1)
          event[name] = [...id.slice(0, cut), '#'.repeat(hashes), ...id.slice(cut)].join('')
          return { body, path: v3 ? 'ProcedureStateChangeEvent.TaskId' : 'data.vodTaskId' }
        })
      await fc.assert(
        fc.asyncProperty(withHash, async ({ body, path }) => {
          try {
            const { statusCode, answer } = await send(body)

            expect(statusCode).toBe(422)
            expect(answer).toStrictEqual({
              code: 422,
              message: expect.any(String),
              problems: [`${path}: the task ID must not contain "#"`],
            })
            expect((await tableItems()).length).toBe(0)
          } finally {
            await emptyTable(raw, TABLE)
          }
        }),
        { numRuns: 100 },
      )
    },
    TIMEOUT_MS,
  )
})

type Json = Record<string, unknown>
const anyJson = fc.jsonValue({ maxDepth: 2 })

/** The objects of a body a mutation may change: the event, a snapshot subtask, its input, a picture. */
function targets(body: Json): Json[] {
  const v3 = 'EventType' in body
  const event = (v3 ? body.ProcedureStateChangeEvent : body.data) as Json
  const list = (v3 ? event.MediaProcessResultSet : event.processTaskList) as Json[]
  const found: Json[] = [body, event]
  for (const entry of list) {
    const task = (v3 ? entry.SnapshotByTimeOffsetTask : entry) as Json | undefined
    if (!task || !('Input' in task || 'input' in task)) continue
    found.push(entry, task, (task.Input ?? task.input) as Json)
    const output = (task.Output ?? task.output) as Json | null | undefined
    const pictures = (output?.PicInfoSet ?? output?.imgInfo ?? []) as Json[]
    found.push(...pictures)
  }
  return found
}

describe('a broken valid task flow', () => {
  it(
    'is rejected with 4xx and stores nothing, or is acknowledged and stores what it says',
    async () => {
      const mutated = fc
        .record({
          procedure: validProcedures,
          target: fc.nat(),
          key: fc.nat(),
          value: fc.option(anyJson, { nil: undefined }),
        })
        .map(({ procedure, target, key, value }) => {
          const body = structuredClone(procedure.body)
          const objects = targets(body)
          const object = objects[target % objects.length] as Json
          const keys = Object.keys(object)
          const name = keys[key % Math.max(1, keys.length)] ?? 'TaskId'
          if (value === undefined) delete object[name]
          else object[name] = value
          return body
        })
      await fc.assert(
        fc.asyncProperty(mutated, async (body) => {
          try {
            const { statusCode, answer } = await send(body)
            const stored = (await tableItems()).length

            expect([200, 400, 422]).toContain(statusCode)
            if (statusCode === 200) expect(stored).toBe(answer.stored ?? 0)
            else expect(stored).toBe(0)
            expect(logger.lines.filter((line) => line.level === 'ERROR')).toStrictEqual([])
          } finally {
            await emptyTable(raw, TABLE)
          }
        }),
        { numRuns: RUNS.mutated },
      )
    },
    TIMEOUT_MS,
  )
})
