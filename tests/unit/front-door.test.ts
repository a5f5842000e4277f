import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { MAX_LOG_LINE_BYTES, redactingLogger } from '../../lib/runtime/log'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import { fixture } from '../support/fixtures'
import { callbackEvent, lambdaContext } from '../support/http-event'
import { memoryQuarantine } from '../support/memory-quarantine'

const TABLE = 'vod-snapshots-unit'
const TOKEN = 'first-token-0123456789'

const ddb = mockClient(DynamoDBClient)
let logger: ReturnType<typeof captureLogger>

beforeEach(() => {
  ddb.reset()
  ddb.on(BatchWriteItemCommand).resolves({})
  logger = captureLogger()
})

const handler = () =>
  createCallbackHandler({
    config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN }),
    client: new DynamoDBClient({}),
    // Rejected bodies are kept there, not in the log lines these tests read.
    quarantine: memoryQuarantine(),
    logger,
    metrics: captureMetrics(),
    storeOptions: { sleep: async () => {}, maxAttempts: 1 },
  })
const invoke = (body: string, options: Parameters<typeof callbackEvent>[1] = { token: TOKEN }) =>
  handler()(callbackEvent(body, options), lambdaContext())
const invokeRaw = (event: unknown) => handler()(event as APIGatewayProxyEventV2, lambdaContext())

const answer = (statusCode: number, body: unknown) => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})
const invalid = (...problems: string[]) =>
  answer(422, { code: 422, message: 'Invalid callback', problems })

describe('a received value', () => {
  it('is not quoted in a problem: legacy data that is a string', async () => {
    const body = { ...fixture('legacy-snapshot-success'), data: `tok:${TOKEN}` }
    expect(await invoke(JSON.stringify(body))).toStrictEqual(invalid('data: expected Object'))
    expect(logger.text()).not.toContain(TOKEN)
  })

  it('is not quoted in a problem: a v3 result that is a string', async () => {
    const body = fixture<{ SnapshotByTimeOffsetCompleteEvent: Record<string, unknown> }>(
      'v3-snapshot-success',
    )
    body.SnapshotByTimeOffsetCompleteEvent.SnapshotInfoSet = [TOKEN]
    expect(await invoke(JSON.stringify(body))).toStrictEqual(
      invalid('SnapshotByTimeOffsetCompleteEvent.SnapshotInfoSet.0: expected Object'),
    )
    expect(logger.text()).not.toContain(TOKEN)
  })

  it('of 1 MB gives a short answer and a log line cut to 4 KB', async () => {
    const body = JSON.stringify({ ...fixture('legacy-snapshot-success'), data: 'x'.repeat(1e6) })
    expect(await invoke(body)).toStrictEqual(invalid('data: expected Object'))
    expect(logger.text().length).toBeLessThan(5000)
  })
})

describe('a body nested deeper than the stack allows', () => {
  it('is answered 4xx and logged as it came, cut to 4 KB, never a crash', async () => {
    const depth = 400_000
    const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`
    const body = `{"EventType":"CreateSnapshotByTimeOffsetComplete","x":${nested}}`
    const response = await invoke(body)
    expect(response?.statusCode).toBe(422)
    const rejected = logger.lines.find((line) => line.message === 'callback rejected')
    // The text as it came (redacted in every spelling), not the parsed value written again.
    expect(rejected?.fields?.body).toBe(`${body.slice(0, 4096)}…[truncated]`)
  })
})

describe('an event API Gateway never sends', () => {
  const unauthorized = answer(401, { code: 401, message: 'Unauthorized' })
  const notText = answer(400, {
    code: 400,
    message: 'Body is not valid JSON',
    problems: ['body: expected text'],
  })
  const event = (changes: Record<string, unknown>) => ({ ...callbackEvent('{}'), ...changes })

  it.each([
    ['a null event', null],
    ['an event that is a string', 'event'],
    ['a token that is an array', event({ queryStringParameters: { token: [TOKEN] } })],
    ['a token that is a number', event({ queryStringParameters: { token: 1234 } })],
    ['query parameters that are null', event({ queryStringParameters: null })],
  ])('answers 401 to %s', async (_, raw) => {
    expect(await invokeRaw(raw)).toStrictEqual(unauthorized)
  })

  it.each([
    ['a number', 42],
    ['an object', { EventType: 'x' }],
    ['an array', ['{}']],
  ])('answers 400 to a body that is %s', async (_, body) => {
    expect(await invokeRaw(event({ body, queryStringParameters: { token: TOKEN } }))).toStrictEqual(
      notText,
    )
  })

  it('answers 400 without headers at all', async () => {
    const raw = event({ headers: undefined, body: 'x', queryStringParameters: { token: TOKEN } })
    expect((await invokeRaw(raw))?.statusCode).toBe(400)
  })
})

describe('malformed Unicode', () => {
  const legacyWithTaskId = (vodTaskId: string) => {
    const body = fixture<{ data: Record<string, unknown> }>('legacy-snapshot-success')
    body.data.vodTaskId = vodTaskId
    return body
  }

  it.each([
    ['a lone high surrogate', '"CreateSnapshot-\\ud800"'],
    ['a lone low surrogate', '"CreateSnapshot-\\udc00"'],
    ['a replacement character left by invalid bytes', '"CreateSnapshot-\\ufffd"'],
  ])('answers 422 to a task ID with %s, storing nothing', async (_, escaped) => {
    const body = JSON.stringify(legacyWithTaskId('@')).replace('"@"', escaped)
    expect(await invoke(body)).toStrictEqual(
      invalid('data.vodTaskId: the task ID must be well-formed Unicode'),
    )
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
  })

  it('answers 422 to a URL with a lone surrogate', async () => {
    const body = JSON.stringify(fixture('legacy-snapshot-success')).replace(
      'xx1.png',
      'xx1\\ud83d.png',
    )
    expect(await invoke(body)).toStrictEqual(
      invalid('data.picInfo.0.url: the URL must be well-formed Unicode'),
    )
  })

  it('answers 422 to a base64 body holding bytes that are not UTF-8', async () => {
    const text = JSON.stringify(legacyWithTaskId('CreateSnapshot-@'))
    const bytes = Buffer.from(text, 'utf8')
    bytes[bytes.indexOf('@')] = 0xff
    const response = await invoke(bytes.toString('base64'), {
      token: TOKEN,
      isBase64Encoded: true,
    })
    expect(response).toStrictEqual(invalid('body: must be well-formed UTF-8'))
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
  })

  it('stores a task ID with a well-formed surrogate pair', async () => {
    const body = JSON.stringify(legacyWithTaskId('@')).replace('"@"', '"Snapshot-\\ud83d\\ude00"')
    expect((await invoke(body))?.statusCode).toBe(200)
  })
})

describe('redactingLogger', () => {
  it('replaces every configured secret and passes a clean line as it is', () => {
    const log = captureLogger()
    const fields = { vodTaskId: 'task' }
    redactingLogger(log, ['secret-one', 'secret-two']).warn('line', fields)
    redactingLogger(log, ['secret-one']).info('line', { a: 'x secret-one y', b: ['secret-one'] })
    expect(log.lines).toStrictEqual([
      { level: 'WARN', message: 'line', fields },
      { level: 'INFO', message: 'line', fields: { a: 'x [REDACTED] y', b: ['[REDACTED]'] } },
    ])
    expect(log.lines[0]?.fields).toBe(fields)
  })

  it('keeps only the size of a line over CloudWatch’s event limit', () => {
    const log = captureLogger()
    redactingLogger(log, []).error('line', { body: 'x'.repeat(MAX_LOG_LINE_BYTES) })
    expect(log.lines).toStrictEqual([
      {
        level: 'ERROR',
        message: 'line',
        fields: { truncated: true, bytes: MAX_LOG_LINE_BYTES + 11 },
      },
    ])
  })
})
