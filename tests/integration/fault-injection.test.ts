import { QueryCommand } from '@aws-sdk/client-dynamodb'
import pLimit from 'p-limit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type FallbackMessage,
  parseFallbackMessage,
  UNSTORED_CALLBACK_MARKER,
} from '../../lib/durability/fallback-message'
import { sqsFallbackQueue } from '../../lib/durability/fallback-queue'
import { createRedriveHandler } from '../../lib/durability/redrive'
import { parseCallback } from '../../lib/events/parse-callback'
import {
  createSnapshotsTable,
  type LocalDynamoDB,
  localClient,
  startDynalite,
} from '../../lib/local/local-dynamodb'
import { answerReserveMs, DEFAULT_BUDGET, MAX_BODY_BYTES } from '../../lib/receive/answer-callback'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import {
  type Fault,
  type FaultRates,
  fakeSqsClient,
  faultyDynamoDBClient,
} from '../support/fault-injection'
import { legacyCallbackWith } from '../support/fixtures'
import { callbackEvent, lambdaContext } from '../support/http-event'

// Production's budget (2.5 s / 4 s) scaled down so 1,200 callbacks run in seconds.
const BUDGET = { storeMs: 400, answerMs: 800 }
// How late an answer may be on a loaded 2-core machine: timers fire late, they do not skip.
const SLACK_MS = 400
const TOKEN = 'fault-injection-token-0123'
const TABLE = 'vod-snapshots-faults'
const CALLBACKS_PER_SCENARIO = 200
const FALLBACK_QUEUE_URL =
  'https://sqs.us-east-1.amazonaws.com/123456789012/vod-snapshots-test-fallback'

const SCENARIOS: { name: string; dynamodb: FaultRates; sqs: { fail?: number; hang?: number } }[] = [
  { name: 'throttling 30%', dynamodb: { throttle: 0.3 }, sqs: {} },
  { name: 'HTTP 500 30%', dynamodb: { http500: 0.3 }, sqs: {} },
  { name: 'unprocessed items forever', dynamodb: { unprocessed: 1 }, sqs: {} },
  { name: 'timeouts 15%', dynamodb: { hang: 0.15 }, sqs: {} },
  {
    name: 'all faults 10% each, SQS failing 30% and hanging 10%',
    dynamodb: { throttle: 0.1, http500: 0.1, unprocessed: 0.1, hang: 0.1 },
    sqs: { fail: 0.3, hang: 0.1 },
  },
  { name: 'DynamoDB and SQS both down', dynamodb: { http500: 1 }, sqs: { fail: 1 } },
]

let dynamodb: LocalDynamoDB
let scenario = SCENARIOS[0]
const faults: Record<Fault | 'ok', number> = {
  throttle: 0,
  http500: 0,
  unprocessed: 0,
  hang: 0,
  ok: 0,
}
const queued: string[] = []
const logger = captureLogger()
const seen = new Map<string, { status: number; elapsedMs: number; offsets: number[] }>()

beforeAll(async () => {
  dynamodb = await startDynalite()
  await createSnapshotsTable(dynamodb.endpoint, TABLE)
  const handler = createCallbackHandler({
    config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN }),
    client: faultyDynamoDBClient(dynamodb.endpoint, () => scenario?.dynamodb ?? {}, faults),
    fallback: sqsFallbackQueue(
      fakeSqsClient(queued, () => scenario?.sqs ?? {}),
      FALLBACK_QUEUE_URL,
    ),
    logger,
    metrics: captureMetrics(),
    budget: BUDGET,
  })
  const limit = pLimit(20)
  for (const [s, current] of SCENARIOS.entries()) {
    scenario = current
    await Promise.all(
      Array.from({ length: CALLBACKS_PER_SCENARIO }, (_, i) =>
        limit(async () => {
          const task = `fault-${s}-${i}`
          const body = legacyCallbackWith(1 + ((i * 7) % 40), task)
          const started = performance.now()
          const response = await handler(
            callbackEvent(JSON.stringify(body), { token: TOKEN }),
            lambdaContext(),
          )
          seen.set(task, {
            status: response?.statusCode ?? 0,
            elapsedMs: performance.now() - started,
            offsets: body.data.picInfo.map((pic) => pic.timeOffset),
          })
        }),
      ),
    )
  }
}, 300_000)

afterAll(() => dynamodb?.close())

const key = (task: string, offset: number) => `${task}#${offset}`

async function tableKeys(): Promise<Set<string>> {
  const client = localClient(dynamodb.endpoint)
  const keys = new Set<string>()
  await Promise.all(
    [...seen.keys()].map(async (task) => {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'vodTaskId = :t',
          ExpressionAttributeValues: { ':t': { S: task } },
        }),
      )
      for (const item of Items) keys.add(key(task, Number(item.timeOffset?.N)))
    }),
  )
  client.destroy()
  return keys
}

const messageKeys = (messages: FallbackMessage[]) =>
  new Set(messages.flatMap((m) => m.results.map((r) => key(m.vodTaskId, r.timeOffset))))

function loggedKeys(): Set<string> {
  const keys = new Set<string>()
  for (const line of logger.lines.filter((l) => l.message === UNSTORED_CALLBACK_MARKER)) {
    const fields = line.fields ?? {}
    if (typeof fields.body === 'string') {
      const callback = parseCallback(JSON.parse(fields.body))
      if (callback.kind === 'snapshots')
        for (const r of callback.results) keys.add(key(r.vodTaskId, r.timeOffset))
    } else for (const k of messageKeys([fields.fallback as FallbackMessage])) keys.add(k)
  }
  return keys
}

describe(`${SCENARIOS.length * CALLBACKS_PER_SCENARIO} callbacks under injected faults`, () => {
  it('keeps every result: in the table, in the fallback queue, or (both down) in the error log', async () => {
    const [table, queue, log] = [
      await tableKeys(),
      messageKeys(queued.map(parseFallbackMessage)),
      loggedKeys(),
    ]
    const lost: string[] = []
    const statuses: Record<number, number> = {}
    for (const [task, { status, offsets }] of seen) {
      statuses[status] = (statuses[status] ?? 0) + 1
      for (const offset of offsets) {
        const k = key(task, offset)
        const kept =
          status === 200
            ? table.has(k)
            : status === 202
              ? table.has(k) || queue.has(k)
              : table.has(k) || queue.has(k) || log.has(k)
        if (!kept) lost.push(`${k} (answered ${status})`)
      }
    }
    const results = [...seen.values()].reduce((n, s) => n + s.offsets.length, 0)
    console.info('fault injection:', {
      callbacks: seen.size,
      results,
      statuses,
      faults,
      inTable: table.size,
      inQueue: queue.size,
      inLog: log.size,
    })

    expect(seen.size).toBe(SCENARIOS.length * CALLBACKS_PER_SCENARIO)
    expect(
      Object.keys(statuses)
        .map(Number)
        .every((s) => [200, 202, 500].includes(s)),
    ).toBe(true)
    expect(statuses[202]).toBeGreaterThan(0)
    expect(statuses[500]).toBeGreaterThan(0)
    expect(lost).toStrictEqual([])
  })

  it('answers every callback within the deadline', () => {
    const late = [...seen].filter(([, s]) => s.elapsedMs > BUDGET.answerMs + SLACK_MS)
    const slowest = Math.max(...[...seen.values()].map((s) => s.elapsedMs))
    console.info(
      `fault injection: slowest answer ${Math.round(slowest)} ms (deadline ${BUDGET.answerMs} ms)`,
    )
    expect(late.map(([task, s]) => `${task}: ${Math.round(s.elapsedMs)} ms`)).toStrictEqual([])
  })

  it('redrives every queued result into the table once DynamoDB is healthy', async () => {
    const metrics = captureMetrics()
    const redrive = createRedriveHandler({
      tableName: TABLE,
      client: localClient(dynamodb.endpoint),
      logger: captureLogger(),
      metrics,
    })
    const records = queued.map((body, i) => ({
      messageId: `m${i}`,
      body,
      attributes: { ApproximateReceiveCount: '1' },
    }))
    for (let i = 0; i < records.length; i += 10) {
      const response = await redrive(
        { Records: records.slice(i, i + 10) } as never,
        lambdaContext(),
      )
      expect(response.batchItemFailures).toStrictEqual([])
    }
    const table = await tableKeys()
    const queuedKeys = messageKeys(queued.map(parseFallbackMessage))
    const missing = [...queuedKeys].filter((k) => !table.has(k))
    expect(missing).toStrictEqual([])
    expect(metrics.totals().ResultsRedriven).toBe(
      queued.map(parseFallbackMessage).reduce((n, m) => n + m.results.length, 0),
    )
  })
})

describe('the production budget', () => {
  it('answers within 4 s even when DynamoDB and SQS never answer, keeping the body in the log', async () => {
    const log = captureLogger()
    const never = { hang: 1 }
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN }),
      client: faultyDynamoDBClient(dynamodb.endpoint, () => never, { ...faults }),
      fallback: sqsFallbackQueue(
        fakeSqsClient([], () => never),
        FALLBACK_QUEUE_URL,
      ),
      logger: log,
      metrics: captureMetrics(),
    })
    const started = performance.now()
    const body = JSON.stringify(legacyCallbackWith(100, 'fault-production-budget'))
    const response = await handler(callbackEvent(body, { token: TOKEN }), lambdaContext())
    const elapsedMs = performance.now() - started
    console.info(
      `production budget: answered ${response?.statusCode} after ${Math.round(elapsedMs)} ms`,
    )

    expect(response?.statusCode).toBe(500)
    expect(elapsedMs).toBeLessThan(DEFAULT_BUDGET.answerMs + SLACK_MS)
    expect(log.lines.filter((l) => l.message === UNSTORED_CALLBACK_MARKER)).toMatchObject([
      { fields: { body } },
    ])
  })

  it('answers a 32,000-result callback within 4 s, logging every result after the queue gave up', async () => {
    const log = captureLogger()
    // When each line was logged: the answer must leave within the reserve after the queue gave
    // up. Each line is serialised, as a real logger does: that is most of the cost.
    const loggedAt: Record<string, number> = {}
    const timedLog = {
      ...log,
      error: (message: string, fields?: Record<string, unknown>) => {
        loggedAt[message] ??= performance.now()
        JSON.stringify({ level: 'ERROR', message, timestamp: new Date().toISOString(), ...fields })
        log.error(message, fields)
      },
    }
    const never = { hang: 1 }
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN }),
      client: faultyDynamoDBClient(dynamodb.endpoint, () => never, { ...faults }),
      fallback: sqsFallbackQueue(
        fakeSqsClient([], () => never),
        FALLBACK_QUEUE_URL,
      ),
      logger: timedLog,
      metrics: captureMetrics(),
    })
    // Results without URLs, a millisecond apart: about as many as a 1 MB body holds.
    const callback = legacyCallbackWith(0, 'fault-production-budget-32k')
    const picInfo = Array.from({ length: 32_000 }, (_, timeOffset) => ({ status: 0, timeOffset }))
    Object.assign(callback.data, { picInfo })
    const body = JSON.stringify(callback)
    expect(body.length).toBeLessThan(MAX_BODY_BYTES)

    const started = performance.now()
    const response = await handler(callbackEvent(body, { token: TOKEN }), lambdaContext())
    const answeredAt = performance.now()
    const queueFailedAt = loggedAt['fallback queue failed'] ?? Number.NaN
    const afterQueueMs = answeredAt - queueFailedAt
    console.info(
      `production budget, 32,000 results: answered after ${Math.round(answeredAt - started)} ms, ${Math.round(afterQueueMs)} ms after the queue gave up (reserve ${answerReserveMs(32_000)} ms)`,
    )

    expect(response?.statusCode).toBe(500)
    // The margin the budget keeps covers what answering took once the queue gave up.
    expect(afterQueueMs).toBeLessThan(answerReserveMs(32_000))
    expect(answeredAt - started).toBeLessThan(DEFAULT_BUDGET.answerMs)
    const logged = log.lines
      .filter((line) => line.message === UNSTORED_CALLBACK_MARKER)
      .flatMap((line) => (line.fields as { fallback: FallbackMessage }).fallback.results)
    expect(logged).toHaveLength(32_000)
  })

  it('answers a valid 120,000-point failed task flow without a 5xx while the stores are healthy', async () => {
    const sent: string[] = []
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN }),
      client: faultyDynamoDBClient(dynamodb.endpoint, () => ({}), { ...faults }),
      fallback: sqsFallbackQueue(
        fakeSqsClient(sent, () => ({})),
        FALLBACK_QUEUE_URL,
      ),
      logger: captureLogger(),
      metrics: captureMetrics(),
    })
    const taskId = 'fault-production-budget-120k'
    const offsets = Array.from({ length: 120_000 }, (_, i) => i)
    const body = JSON.stringify({
      EventType: 'ProcedureStateChanged',
      ProcedureStateChangeEvent: {
        TaskId: taskId,
        Status: 'FINISH',
        FileId: '5285890784246869930',
        MediaProcessResultSet: [
          {
            Type: 'SnapshotByTimeOffset',
            SnapshotByTimeOffsetTask: {
              Status: 'FAIL',
              ErrCode: 70000,
              Input: { Definition: 10, TimeOffsetSet: offsets, ExtTimeOffsetSet: [] },
              Output: null,
            },
          },
        ],
      },
    })
    expect(body.length).toBeLessThan(MAX_BODY_BYTES)

    const started = performance.now()
    const response = await handler(callbackEvent(body, { token: TOKEN }), lambdaContext())
    const elapsedMs = performance.now() - started
    const inQueue = sent.flatMap((text) =>
      parseFallbackMessage(text).results.map((result) => result.timeOffset),
    )
    // Writes DynamoDB received before the deadline still finish after the answer: read the table
    // once they have, and let none of them outlive the test (dynalite closes after the file).
    const inTable = await settledOffsetsOf(`${taskId}#10`)
    console.info(
      `production budget, 120,000 failed points: answered ${response?.statusCode} after ${Math.round(elapsedMs)} ms, ${inTable.length} in the table, ${inQueue.length} queued`,
    )

    expect([200, 202]).toContain(response?.statusCode)
    expect(new Set([...inTable, ...inQueue]).size).toBe(120_000)
  })
})

/** The offsets under a key once two reads 300 ms apart agree (at most 20 s). */
async function settledOffsetsOf(vodTaskId: string): Promise<number[]> {
  let last = await offsetsOf(vodTaskId)
  for (let waited = 0; waited < 20_000; waited += 300) {
    await new Promise((resolve) => setTimeout(resolve, 300))
    const now = await offsetsOf(vodTaskId)
    if (now.length === last.length) return now
    last = now
  }
  throw new Error(`writes to ${vodTaskId} did not settle within 20 s`)
}

/** Every time offset stored under one partition key. */
async function offsetsOf(vodTaskId: string): Promise<number[]> {
  const client = localClient(dynamodb.endpoint)
  const offsets: number[] = []
  let ExclusiveStartKey:
    | Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>
    | undefined
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'vodTaskId = :t',
        ExpressionAttributeValues: { ':t': { S: vodTaskId } },
        ProjectionExpression: 'timeOffset',
        ExclusiveStartKey,
      }),
    )
    for (const item of page.Items ?? []) offsets.push(Number(item.timeOffset?.N))
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey)
  client.destroy()
  return offsets
}
