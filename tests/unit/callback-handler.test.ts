import { BatchWriteItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { UNSTORED_CALLBACK_MARKER } from '../../lib/durability/fallback-message'
import type { FallbackQueue } from '../../lib/durability/fallback-queue'
import { MAX_BODY_BYTES } from '../../lib/receive/answer-callback'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import type { SnapshotItem } from '../../lib/store/snapshot-item'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import { fixture, fixtureText, legacyCallbackWith } from '../support/fixtures'
import { callbackEvent, lambdaContext } from '../support/http-event'
import { memoryQuarantine } from '../support/memory-quarantine'
import { writtenItems as itemsWritten } from '../support/written-items'

const TABLE = 'vod-snapshots-unit'
const TOKEN = 'first-token-0123456789'
const NEXT_TOKEN = 'rotated-token-0123456789'
const NOW = new Date('2026-11-24T03:00:00.000Z')
const TASK_ID = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'

const ddb = mockClient(DynamoDBClient)
let logger: ReturnType<typeof captureLogger>
let metrics: ReturnType<typeof captureMetrics>
let fallback: (FallbackQueue & { sent: SnapshotItem[][] }) | undefined
let quarantine: ReturnType<typeof memoryQuarantine> | undefined

/** A fallback queue that keeps what it is sent, or fails when told to. */
function fakeQueue(failure?: Error) {
  const sent: SnapshotItem[][] = []
  return {
    sent,
    async send(items: readonly SnapshotItem[]) {
      if (failure) throw failure
      sent.push([...items])
      return 1
    },
  }
}

function invoke(
  body: string | undefined,
  options: Parameters<typeof callbackEvent>[1] = { token: TOKEN },
) {
  const handler = createCallbackHandler({
    config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: `${TOKEN},${NEXT_TOKEN}` }),
    client: new DynamoDBClient({}),
    fallback,
    quarantine,
    logger,
    metrics,
    now: () => NOW,
    storeOptions: { sleep: async () => {}, maxAttempts: 2 },
  })
  return handler(callbackEvent(body, options), lambdaContext())
}

const jsonResponse = (statusCode: number, body: unknown) => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})
const writtenItems = () => itemsWritten(ddb, TABLE)

const SEED_SUCCESS_ITEMS = [
  {
    vodTaskId: TASK_ID,
    fileId: '14508071098244929440',
    definition: 10,
    timeOffset: 3123213,
    status: 0,
    url: 'http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/xx1.png',
    eventType: 'CreateSnapshotByTimeOffsetComplete',
    receivedAt: NOW.toISOString(),
  },
  {
    vodTaskId: TASK_ID,
    fileId: '14508071098244929440',
    definition: 10,
    timeOffset: 3123123,
    status: 0,
    url: 'http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/xx2.png',
    eventType: 'CreateSnapshotByTimeOffsetComplete',
    receivedAt: NOW.toISOString(),
  },
]

beforeEach(() => {
  ddb.reset()
  ddb.on(BatchWriteItemCommand).resolves({})
  ddb.on(UpdateItemCommand).resolves({})
  logger = captureLogger()
  metrics = captureMetrics()
  fallback = undefined
  quarantine = memoryQuarantine()
})

describe('a valid snapshot callback', () => {
  it("stores the seed's success example as two items and answers 200 with the count", async () => {
    const response = await invoke(fixtureText('legacy-snapshot-success'))

    expect(response).toStrictEqual(jsonResponse(200, { code: 0, stored: 2 }))
    expect(writtenItems()).toStrictEqual(SEED_SUCCESS_ITEMS)
    expect(metrics.totals()).toStrictEqual({ ResultsStored: 2, StoreLatency: expect.any(Number) })
    expect(logger.lines).toContainEqual({
      level: 'INFO',
      message: 'callback stored',
      fields: expect.objectContaining({ vodTaskId: TASK_ID, format: 'legacy', stored: 2 }),
    })
  })

  it("stores the seed's failure example without a url attribute, never over a success", async () => {
    const response = await invoke(fixtureText('legacy-snapshot-failure'))

    expect(response).toStrictEqual(jsonResponse(200, { code: 0, stored: 1 }))
    expect(ddb.commandCalls(UpdateItemCommand)[0]?.args[0].input).toMatchObject({
      TableName: TABLE,
      Key: { vodTaskId: { S: TASK_ID }, timeOffset: { N: '1000000' } },
      ConditionExpression: 'attribute_not_exists(#status) OR #status <> :success',
      ExpressionAttributeValues: expect.objectContaining({ ':success': { N: '0' } }),
    })
    expect(writtenItems()).toStrictEqual([
      {
        vodTaskId: TASK_ID,
        fileId: '9031868222841494656',
        definition: 20,
        timeOffset: 1000000,
        status: -46204,
        eventType: 'CreateSnapshotByTimeOffsetComplete',
        receivedAt: NOW.toISOString(),
      },
    ])
  })

  it('accepts the version as the number 4', async () => {
    const body = { ...fixture('legacy-snapshot-success'), version: 4 }
    expect(await invoke(JSON.stringify(body))).toStrictEqual(
      jsonResponse(200, { code: 0, stored: 2 }),
    )
  })

  it('parses the body whatever the Content-Type says, or when there is none', async () => {
    const body = fixtureText('legacy-snapshot-success')
    const contentTypes: Record<string, string>[] = [
      { 'content-type': 'text/plain' },
      {},
      { 'Content-Type': 'application/x-www-form-urlencoded' },
    ]
    for (const headers of contentTypes) {
      expect(await invoke(body, { token: TOKEN, headers })).toStrictEqual(
        jsonResponse(200, { code: 0, stored: 2 }),
      )
    }
  })

  it('decodes a body API Gateway delivered base64-encoded', async () => {
    const body = Buffer.from(fixtureText('legacy-snapshot-success')).toString('base64')
    const response = await invoke(body, { token: TOKEN, isBase64Encoded: true })

    expect(response).toStrictEqual(jsonResponse(200, { code: 0, stored: 2 }))
    expect(writtenItems()).toStrictEqual(SEED_SUCCESS_ITEMS)
  })

  it('accepts every configured token, so a token can be rotated', async () => {
    const response = await invoke(fixtureText('legacy-snapshot-success'), { token: NEXT_TOKEN })
    expect(response).toStrictEqual(jsonResponse(200, { code: 0, stored: 2 }))
  })

  it('answers 200 with stored 0 for a callback with no results, writing nothing', async () => {
    const body = fixture<{ data: { picInfo: unknown[] } }>('legacy-snapshot-success')
    body.data.picInfo = []
    expect(await invoke(JSON.stringify(body))).toStrictEqual(
      jsonResponse(200, { code: 0, stored: 0 }),
    )
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
  })
})

describe('authentication', () => {
  it.each([
    ['no token', undefined],
    ['an empty token', ''],
    ['a wrong token', 'wrong-token-0123456789'],
    ['a prefix of the token', TOKEN.slice(0, -1)],
    ['the token with more after it', `${TOKEN}x`],
    ['both tokens joined', `${TOKEN},${NEXT_TOKEN}`],
  ])('answers 401 revealing nothing, and stores nothing, for %s', async (_, token) => {
    const response = await invoke(fixtureText('legacy-snapshot-success'), { token })

    expect(response).toStrictEqual(jsonResponse(401, { code: 401, message: 'Unauthorized' }))
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
    expect(logger.text()).not.toContain(TOKEN)
    expect(metrics.totals()).toStrictEqual({ CallbacksRejected: 1 })
  })

  it('checks the token before reading the body', async () => {
    const response = await invoke('not json', { token: 'wrong-token-0123456789' })
    expect(response?.statusCode).toBe(401)
  })
})

describe('bad input', () => {
  it('answers 413 to a body over 1 MB without parsing it', async () => {
    // Not JSON either: had it been parsed, the answer would be a 400.
    const body = `{${'x'.repeat(MAX_BODY_BYTES)}`
    expect(await invoke(body)).toStrictEqual(
      jsonResponse(413, {
        code: 413,
        message: 'Payload Too Large',
        problems: [`body: ${body.length} bytes, at most ${MAX_BODY_BYTES} allowed`],
      }),
    )
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
  })

  it.each([
    ['text that is not JSON, without quoting it', 'not json', 'body: expected JSON'],
    ['an empty body', '', 'body: is required'],
    ['no body at all', undefined, 'body: is required'],
    [
      'a __proto__ key',
      '{"__proto__":{"polluted":true}}',
      'body: expected no __proto__ or constructor.prototype key',
    ],
    [
      'an escaped __proto__ key',
      '{"data":{"\\u005f_proto__":{"polluted":true}}}',
      'body: expected no __proto__ or constructor.prototype key',
    ],
    [
      'a constructor.prototype key',
      '{"constructor":{"prototype":{"polluted":true}}}',
      'body: expected no __proto__ or constructor.prototype key',
    ],
  ])('answers 400 naming the problem for %s', async (_, body, problem) => {
    expect(await invoke(body)).toStrictEqual(
      jsonResponse(400, { code: 400, message: 'Body is not valid JSON', problems: [problem] }),
    )
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
  })

  it('answers 422 naming the first problem of an invalid callback, storing none of it', async () => {
    const body = fixture<{ data: Record<string, unknown> }>('legacy-snapshot-success')
    body.data.fileId = 9031868222841494
    body.data.picInfo = [
      { status: 0, timeOffset: 1000, url: 'http://vod.example/1.png' },
      { status: 'ok', timeOffset: -5 },
    ]
    delete body.data.definition

    expect(await invoke(JSON.stringify(body))).toStrictEqual(
      jsonResponse(422, {
        code: 422,
        message: 'Invalid callback',
        problems: ['data.fileId: the file ID must be a string'],
      }),
    )
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
    expect(logger.lines).toContainEqual({
      level: 'WARN',
      message: 'callback rejected',
      fields: expect.objectContaining({ statusCode: 422, body: JSON.stringify(body) }),
    })
  })

  it('answers 422 to JSON that is not an object', async () => {
    expect(await invoke('[1,2]')).toStrictEqual(
      jsonResponse(422, {
        code: 422,
        message: 'Invalid callback',
        problems: ['body: must be a JSON object'],
      }),
    )
  })
})

describe('other events', () => {
  it('acknowledges another event type with 200 and stores nothing', async () => {
    const body = { version: '4.0', eventType: 'NewFileUpload', data: { fileId: '1' } }
    expect(await invoke(JSON.stringify(body))).toStrictEqual(
      jsonResponse(200, { code: 0, ignored: 'NewFileUpload' }),
    )
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
    expect(logger.lines).toContainEqual({
      level: 'INFO',
      message: 'callback ignored',
      fields: { eventType: 'NewFileUpload', format: 'legacy' },
    })
    expect(metrics.totals()).toStrictEqual({ CallbacksIgnored: 1 })
  })
})

describe('a storage failure', () => {
  it('answers 500 with no internals and logs the whole body under the replay marker', async () => {
    ddb
      .on(BatchWriteItemCommand)
      .rejects(new Error(`Requested resource not found: Table: ${TABLE}`))
    const body = fixtureText('legacy-snapshot-success')

    const response = await invoke(body)

    expect(response).toStrictEqual(
      jsonResponse(500, { code: 500, message: 'Internal Server Error' }),
    )
    const marker = logger.lines.find((line) => line.message === UNSTORED_CALLBACK_MARKER)
    expect(marker?.level).toBe('ERROR')
    expect(JSON.parse(String(marker?.fields?.body))).toStrictEqual(JSON.parse(body))
    expect(logger.text()).not.toContain(TOKEN)
  })
})

describe('the durable fallback', () => {
  const unprocessedForever = () =>
    ddb.on(BatchWriteItemCommand).callsFake((input) => ({ UnprocessedItems: input.RequestItems }))

  it('queues the results DynamoDB would not take and answers 202', async () => {
    unprocessedForever()
    fallback = fakeQueue()

    const response = await invoke(fixtureText('legacy-snapshot-success'))

    expect(response).toStrictEqual(jsonResponse(202, { code: 0, stored: 0, queued: 2 }))
    expect(fallback.sent).toStrictEqual([SEED_SUCCESS_ITEMS])
    expect(logger.lines.map((line) => line.message)).toContain('results queued')
    expect(metrics.totals()).toStrictEqual({ ResultsStored: 0, StoreFailures: 1, ResultsQueued: 2 })
  })

  it('queues only what is left when part of the callback was stored', async () => {
    ddb
      .on(BatchWriteItemCommand)
      .resolvesOnce({})
      .callsFake((input) => ({ UnprocessedItems: input.RequestItems }))
    fallback = fakeQueue()

    const response = await invoke(JSON.stringify(legacyCallbackWith(60)))

    expect(response).toStrictEqual(jsonResponse(202, { code: 0, stored: 25, queued: 35 }))
    expect(fallback.sent.flat().map((item) => item.timeOffset)).toStrictEqual(
      Array.from({ length: 35 }, (_, i) => (i + 25) * 1000),
    )
  })

  it('logs the whole body under the marker and answers 500 when the queue fails too', async () => {
    unprocessedForever()
    fallback = fakeQueue(new Error('AWS.SimpleQueueService.NonExistentQueue'))
    const body = fixtureText('legacy-snapshot-success')

    const response = await invoke(body)

    expect(response).toStrictEqual(
      jsonResponse(500, { code: 500, message: 'Internal Server Error' }),
    )
    const marked = logger.lines.filter((line) => line.message === UNSTORED_CALLBACK_MARKER)
    expect(marked).toHaveLength(1)
    expect(JSON.parse(String(marked[0]?.fields?.body))).toStrictEqual(JSON.parse(body))
    // A storage outage, not a bug: StoreFailures, never CallbacksFailed.
    expect(metrics.totals()).toStrictEqual({ ResultsStored: 0, StoreFailures: 1, ResultsLogged: 2 })
    expect(response?.body).not.toContain('SimpleQueueService')
  })

  it('logs a large body as its unstored results, each line under 256 KB', async () => {
    unprocessedForever()
    fallback = fakeQueue(new Error('queue down'))
    const callback = legacyCallbackWith(3000)

    expect((await invoke(JSON.stringify(callback)))?.statusCode).toBe(500)

    const marked = logger.lines.filter((line) => line.message === UNSTORED_CALLBACK_MARKER)
    expect(marked.length).toBeGreaterThan(1)
    for (const line of marked) expect(JSON.stringify(line).length).toBeLessThan(256_000)
    const offsets = marked.flatMap(
      (line) =>
        (line.fields?.fallback as { results: { timeOffset: number }[] } | undefined)?.results.map(
          (r) => r.timeOffset,
        ) ?? [],
    )
    expect(offsets).toStrictEqual(callback.data.picInfo.map((pic) => pic.timeOffset))
  })
})

describe('an ignored event with an absurd type', () => {
  it('neither echoes nor logs a type VOD does not document', async () => {
    const eventType = `Unknown${'x'.repeat(500_000)}`
    const response = await invoke(JSON.stringify({ EventType: eventType }))

    expect(response).toStrictEqual(
      jsonResponse(200, { code: 0, ignored: '(not an event type VOD documents)' }),
    )
    expect(logger.text()).not.toContain('Unknownxxx')
  })

  it.each([
    ['the token', `tok:${TOKEN}`],
    ['65 characters', 'A'.repeat(65)],
    ['a space', 'New File'],
    // Found outside: any plain word was echoed, the token written alone included.
    ['only the token', TOKEN],
    ['a plain word VOD does not send', 'A'.repeat(64)],
  ])('withholds a type holding %s', async (_, eventType) => {
    const response = await invoke(JSON.stringify({ EventType: eventType }))

    expect(response).toStrictEqual(
      jsonResponse(200, { code: 0, ignored: '(not an event type VOD documents)' }),
    )
    expect(logger.text()).not.toContain(eventType)
  })

  it('echoes an event type VOD documents', async () => {
    const eventType = 'ComplexAdaptiveDynamicStreamingComplete'
    expect(await invoke(JSON.stringify({ EventType: eventType }))).toStrictEqual(
      jsonResponse(200, { code: 0, ignored: eventType }),
    )
  })
})

describe('a body with an enormous number of problems', () => {
  it('names the first, in the answer and the log, without collecting the rest', async () => {
    const body = fixture<{ data: { picInfo: unknown[] } }>('legacy-snapshot-success')
    body.data.picInfo = Array.from({ length: 5000 }, () => ({}))

    const response = await invoke(JSON.stringify(body))

    expect(response).toStrictEqual(
      jsonResponse(422, {
        code: 422,
        message: 'Invalid callback',
        problems: ['data.picInfo.0.timeOffset: is required'],
      }),
    )
    expect(logger.text().length).toBeLessThan(10_000)
  })
})

describe('a legacy body with an extra EventType field', () => {
  it('is still a legacy callback: the extra field changes nothing', async () => {
    const body = { ...fixture('legacy-snapshot-success'), EventType: 'NewFileUpload' }
    expect(await invoke(JSON.stringify(body))).toStrictEqual(
      jsonResponse(200, { code: 0, stored: 2 }),
    )
  })
})

describe('a request whose body is null, as a local stack may send it', () => {
  it('answers 400: the body is required', async () => {
    const event = { ...callbackEvent('{}', { token: TOKEN }), body: null } as never
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN }),
      client: new DynamoDBClient({}),
      logger,
      metrics,
    })
    expect(await handler(event, lambdaContext())).toStrictEqual(
      jsonResponse(400, {
        code: 400,
        message: 'Body is not valid JSON',
        problems: ['body: is required'],
      }),
    )
  })
})

describe('a body whose logged form would pass CloudWatch’s 256 KB event limit', () => {
  it('logs its unstored results in lines under the limit, not the escaped body', async () => {
    ddb.on(BatchWriteItemCommand).callsFake((input) => ({ UnprocessedItems: input.RequestItems }))
    const callback = legacyCallbackWith(6)
    // Quotes double in size when the body is logged as a JSON string: 190 KB becomes 380 KB.
    for (const pic of callback.data.picInfo) pic.url = `http://vod.example/${'"'.repeat(15_900)}`
    const body = JSON.stringify(callback)
    expect(body.length).toBeLessThan(200_000)

    expect((await invoke(body))?.statusCode).toBe(500)

    const marked = logger.lines.filter((line) => line.message === UNSTORED_CALLBACK_MARKER)
    expect(marked.length).toBeGreaterThan(0)
    for (const line of marked) {
      expect(line.fields?.body).toBeUndefined()
      expect(JSON.stringify(line).length).toBeLessThan(256_000)
    }
  })
})

describe('a task-flow callback (ProcedureStateChanged)', () => {
  const PROCEDURE_ID = '1256768367-Procedure-475b72xxxcb177t1'
  const failure = (timeOffset: number) => ({
    vodTaskId: `${PROCEDURE_ID}#10`,
    fileId: '5285890784246869930',
    definition: 10,
    timeOffset,
    status: 60000,
    eventType: 'ProcedureStateChanged',
    receivedAt: NOW.toISOString(),
    procedureTaskId: PROCEDURE_ID,
  })

  it('stores a failed subtask as failure items, and logs and counts the "10%" point', async () => {
    const response = await invoke(fixtureText('v3-procedure-snapshot-failure'))

    expect(response).toStrictEqual(jsonResponse(200, { code: 0, stored: 2 }))
    expect(writtenItems()).toStrictEqual([failure(1000.5), failure(3500)])
    expect(metrics.totals()).toStrictEqual({
      FailuresWithoutOffset: 1,
      ResultsStored: 2,
      StoreLatency: expect.any(Number),
    })
    expect(logger.lines).toContainEqual({
      level: 'WARN',
      message: 'failed screenshots without an offset',
      fields: { vodTaskId: PROCEDURE_ID, unkeyedFailures: 1 },
    })
  })

  it('answers 422 to an invalid snapshot subtask and stores nothing', async () => {
    const body = fixture<{ data: { processTaskList: { input: object }[] } }>(
      'legacy-procedure-state-changed',
    )
    ;(body.data.processTaskList[2] as { input: object }).input = { timeOffset: ['300'] }

    const response = await invoke(JSON.stringify(body))

    expect(response).toStrictEqual(
      jsonResponse(422, {
        code: 422,
        message: 'Invalid callback',
        problems: ['data.processTaskList.2.input.definition: is required'],
      }),
    )
    expect(ddb.commandCalls(BatchWriteItemCommand)).toStrictEqual([])
  })
})

describe('the quarantine', () => {
  const kept = (statusCode: number, problems: string[], body: string, eventType?: string) => ({
    kind: 'vod-snapshots/quarantined-callback',
    id: '20261124T030000000Z-invocation-1',
    receivedAt: NOW.toISOString(),
    requestId: 'invocation-1',
    statusCode,
    problems,
    ...(eventType === undefined ? {} : { eventType }),
    body,
    bodyEncoding: 'utf8',
  })

  it('keeps an authenticated invalid callback whole before answering 422', async () => {
    const callback = fixture<{ data: { picInfo: { timeOffset: number }[] } }>(
      'legacy-snapshot-success',
    )
    const first = callback.data.picInfo[0]
    if (first) first.timeOffset = -1
    const body = JSON.stringify(callback)

    const response = await invoke(body)

    const problems = ['data.picInfo.0.timeOffset: the time offset must not be negative']
    expect(response).toStrictEqual(
      jsonResponse(422, { code: 422, message: 'Invalid callback', problems }),
    )
    expect(quarantine?.kept).toStrictEqual([
      kept(422, problems, body, 'CreateSnapshotByTimeOffsetComplete'),
    ])
    expect(metrics.totals()).toMatchObject({ CallbacksRejected: 1, CallbacksQuarantined: 1 })
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
  })

  it('keeps a body that is not JSON, and one over the size limit, as they came', async () => {
    await invoke('not json at all')
    expect(quarantine?.kept.map((entry) => [entry.statusCode, entry.body])).toStrictEqual([
      [400, 'not json at all'],
    ])

    quarantine = memoryQuarantine()
    const big = JSON.stringify({ eventType: 'X', data: 'x'.repeat(MAX_BODY_BYTES) })
    await invoke(big)
    expect(quarantine.kept.map((entry) => entry.statusCode)).toStrictEqual([413])
    // A boolean: a failure must not print a megabyte.
    expect(quarantine.kept[0]?.body === big).toBe(true)
  })

  it('keeps the bytes API Gateway delivered in base64, without the token', async () => {
    const body = `{"eventType":"CreateSnapshotByTimeOffsetComplete","data":"${TOKEN}"}`
    await invoke(Buffer.from(body).toString('base64'), { token: TOKEN, isBase64Encoded: true })

    expect(quarantine?.kept).toHaveLength(1)
    expect(quarantine?.kept[0]?.body).toBe(body.replace(TOKEN, '[REDACTED]'))
    expect(JSON.stringify(quarantine?.kept)).not.toContain(TOKEN)
  })

  it('keeps a base64 body with its byte-order mark, as VOD sent it', async () => {
    // Found in review: decoding base64 dropped a leading BOM from the kept text.
    const body = '\uFEFF{"eventType":"CreateSnapshotByTimeOffsetComplete","data":{}}'
    await invoke(Buffer.from(body).toString('base64'), { token: TOKEN, isBase64Encoded: true })

    expect(quarantine?.kept.map((entry) => entry.body)).toStrictEqual([body])
  })

  it('never keeps an unauthenticated body, nor an accepted one', async () => {
    await invoke('not json', { token: 'wrong-token-0123456789' })
    await invoke(fixtureText('legacy-snapshot-success'))
    await invoke(fixtureText('v3-new-file-upload'))

    expect(quarantine?.kept).toStrictEqual([])
    expect(metrics.totals().CallbacksQuarantined).toBeUndefined()
  })

  it('logs the whole body in pieces under the marker when the quarantine fails', async () => {
    quarantine = memoryQuarantine(new Error('S3 is down'))
    const body = JSON.stringify({
      eventType: 'CreateSnapshotByTimeOffsetComplete',
      data: 'y'.repeat(600_000),
    })

    const response = await invoke(body)

    expect(response?.statusCode).toBe(422)
    const pieces = logger.lines.filter((line) => line.message === UNSTORED_CALLBACK_MARKER)
    expect(pieces.map((line) => line.fields?.bodyPart).join('') === body).toBe(true)
    expect(pieces.map((line) => [line.fields?.part, line.fields?.parts])).toStrictEqual(
      pieces.map((_, i) => [i + 1, pieces.length]),
    )
    expect(metrics.totals()).toMatchObject({ CallbacksQuarantined: 1, QuarantineFailed: 1 })
  })
})

describe('the callback handler with its default logger (JSON lines on stdout, as deployed)', () => {
  it('writes one line per outcome with the configured token redacted, however it is spelled', async () => {
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN }),
      client: new DynamoDBClient({}),
      metrics,
      now: () => NOW,
    })
    const body = legacyCallbackWith(2, `task-${TOKEN}`)
    // The token a second time, JSON-escaped: only its decoded spelling is the task's ID.
    const spelled = JSON.stringify(body).replace(`task-${TOKEN}`, `task-\\u0066${TOKEN.slice(1)}`)
    const written: string[] = []
    const { write } = process.stdout
    process.stdout.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof write
    try {
      await handler(callbackEvent(JSON.stringify(body), { token: TOKEN }), lambdaContext())
      await handler(callbackEvent(spelled, { token: TOKEN }), lambdaContext())
    } finally {
      process.stdout.write = write
    }
    const lines = written
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines.map((line) => [line.message, line.vodTaskId])).toStrictEqual([
      ['callback stored', 'task-[REDACTED]'],
      ['callback stored', 'task-[REDACTED]'],
    ])
    expect(written.join('')).not.toContain(TOKEN.slice(1))
  })
})
