import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES, MAX_READ_BODY_BYTES } from '../../lib/receive/answer-callback'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import {
  CLOCK_SKEW_SECONDS,
  createSignatureCheck,
  MAX_VALIDITY_SECONDS,
} from '../../lib/receive/callback-signature'
import { loadConfig } from '../../lib/runtime/config'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import { fixture } from '../support/fixtures'
import { callbackEvent, lambdaContext } from '../support/http-event'
import { memoryQuarantine } from '../support/memory-quarantine'
import { signedBody } from '../support/vod-signature'

const TABLE = 'vod-snapshots-unit'
const TOKEN = 'first-token-0123456789'
const KEY = 'SignKey0123456789'
const NEXT_KEY = 'RotatedKey4200000'
const NOW = new Date('2026-11-24T03:00:00.000Z')
const NOW_S = NOW.getTime() / 1000
const VALID_UNTIL = NOW_S + 600

const ddb = mockClient(DynamoDBClient)
let logger: ReturnType<typeof captureLogger>
let metrics: ReturnType<typeof captureMetrics>

beforeEach(() => {
  ddb.reset()
  ddb.on(BatchWriteItemCommand).resolves({})
  logger = captureLogger()
  metrics = captureMetrics()
})

function invoke(body: unknown, signKeys = `${KEY},${NEXT_KEY}`) {
  const handler = createCallbackHandler({
    config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN, CALLBACK_SIGN_KEY: signKeys }),
    client: new DynamoDBClient({}),
    logger,
    metrics,
    now: () => NOW,
    storeOptions: { sleep: async () => {}, maxAttempts: 1 },
  })
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return handler(callbackEvent(text, { token: TOKEN }), lambdaContext())
}

const seed = () => fixture('legacy-snapshot-success')
const UNAUTHORIZED = {
  statusCode: 401,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ code: 401, message: 'Unauthorized' }),
}
const STORED_TWO = {
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ code: 0, stored: 2 }),
}

describe('with CALLBACK_SIGN_KEY set', () => {
  it('stores a callback signed with a configured key, in either format', async () => {
    expect(await invoke(signedBody(seed(), KEY, VALID_UNTIL))).toStrictEqual(STORED_TWO)
    const v3 = signedBody(fixture('v3-snapshot-success'), NEXT_KEY, VALID_UNTIL)
    expect(JSON.parse(String((await invoke(v3))?.body))).toStrictEqual({ code: 0, stored: 2 })
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(2)
  })

  it('accepts the signature in upper-case hex and T as a string of digits', async () => {
    const body = signedBody(seed(), KEY, VALID_UNTIL)
    const response = await invoke({ ...body, Sign: body.Sign.toUpperCase(), T: `${body.T}` })
    expect(response).toStrictEqual(STORED_TWO)
  })

  it('accepts a T that passed within the allowed clock skew', async () => {
    const body = signedBody(seed(), KEY, NOW_S - CLOCK_SKEW_SECONDS)
    expect(await invoke(body)).toStrictEqual(STORED_TWO)
  })

  const signed = signedBody(seed(), KEY, VALID_UNTIL)
  it.each([
    ['unsigned', seed(), 'signature-missing'],
    ['without T', { ...signed, T: undefined }, 'signature-missing'],
    ['signed with another key', signedBody(seed(), 'OtherKey', VALID_UNTIL), 'signature-mismatch'],
    ['expired', signedBody(seed(), KEY, NOW_S - CLOCK_SKEW_SECONDS - 1), 'signature-expired'],
    ['whose T was altered', { ...signed, T: VALID_UNTIL + 1 }, 'signature-mismatch'],
    [
      'valid absurdly far ahead',
      signedBody(seed(), KEY, NOW_S + MAX_VALIDITY_SECONDS + 1),
      'expiry-too-far-ahead',
    ],
    ['with T not a whole number', { ...signed, T: 1.5 }, 'expiry-malformed'],
    ['with T negative', { ...signed, T: -1 }, 'expiry-malformed'],
    ['with Sign not hex', { ...signed, Sign: 'z'.repeat(32) }, 'signature-mismatch'],
    ['with Sign a number', { ...signed, Sign: 12 }, 'signature-mismatch'],
  ])(
    'answers 401 to a callback %s, storing nothing and logging only the check',
    async (_, body, check) => {
      expect(await invoke(body)).toStrictEqual(UNAUTHORIZED)
      expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
      expect(logger.lines).toStrictEqual([
        { level: 'WARN', message: 'callback rejected', fields: { statusCode: 401, check } },
      ])
      expect(metrics.totals()).toStrictEqual({ CallbacksRejected: 1, SignatureRejected: 1 })
    },
  )

  it('checks the signature of other event types too', async () => {
    expect(await invoke(fixture('legacy-file-deleted'))).toStrictEqual(UNAUTHORIZED)
  })

  it('still requires the token', async () => {
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN, CALLBACK_SIGN_KEY: KEY }),
      client: new DynamoDBClient({}),
      logger,
      metrics,
      now: () => NOW,
    })
    const body = JSON.stringify(signedBody(seed(), KEY, VALID_UNTIL))
    const response = await handler(callbackEvent(body, { token: 'x' }), lambdaContext())
    expect(response).toStrictEqual(UNAUTHORIZED)
  })
})

describe('without CALLBACK_SIGN_KEY', () => {
  it('stores an unsigned callback as before', async () => {
    expect(await invoke(seed(), '')).toStrictEqual(STORED_TWO)
  })
})

describe('createSignatureCheck', () => {
  const check = createSignatureCheck([KEY])
  it('signs the key followed by the decimal digits of T', () => {
    // MD5("SignKey01234567891795489800"), computed independently with md5sum.
    const body = { Sign: 'fd6420b94417532a4fb6ec87bf6dae72', T: 1795489800 }
    expect(check(body, NOW.getTime())).toBeUndefined()
    expect(check({ ...body, T: 1795489801 }, NOW.getTime())).toBe('signature-mismatch')
  })

  it.each([null, [], 'text', 42])('finds no signature in %j', (body) => {
    expect(check(body, NOW.getTime())).toBe('signature-missing')
  })
})

describe('the quarantine, with a signing key', () => {
  function invokeKeeping(body: string, isBase64Encoded = false) {
    const quarantine = memoryQuarantine()
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN, CALLBACK_SIGN_KEY: KEY }),
      client: new DynamoDBClient({}),
      quarantine,
      logger,
      metrics,
      now: () => NOW,
    })
    const text = isBase64Encoded ? Buffer.from(body).toString('base64') : body
    const event = callbackEvent(text, { token: TOKEN, isBase64Encoded })
    return handler(event, lambdaContext()).then((response) => ({
      status: response?.statusCode,
      kept: quarantine.kept.map((entry) => entry.statusCode),
    }))
  }
  const padded = (body: object, bytes = MAX_BODY_BYTES) => ({ ...body, padding: 'x'.repeat(bytes) })

  it('refuses 401 and keeps nothing of a body that cannot be read far enough to verify', async () => {
    const signedBeyondLambda = padded(signedBody(seed(), KEY, VALID_UNTIL), MAX_READ_BODY_BYTES)
    expect(await invokeKeeping(JSON.stringify(signedBeyondLambda))).toStrictEqual({
      status: 401,
      kept: [],
    })
    expect(await invokeKeeping('not json, so not signed')).toStrictEqual({ status: 401, kept: [] })
    expect(await invokeKeeping('{"__proto__":{"x":1},"Sign":"0","T":1}')).toStrictEqual({
      status: 401,
      kept: [],
    })
    const checks = logger.lines.map((line) => line.fields?.check)
    expect(checks).toStrictEqual([
      'signature-unreadable',
      'signature-unreadable',
      'signature-unreadable',
    ])
    expect(metrics.totals()).toMatchObject({ CallbacksRejected: 3, SignatureRejected: 3 })
  })

  it('keeps a signed callback over 1 MB (413) for its replay, and never an unsigned one (401)', async () => {
    // Refused 401 unread before: with a SignKey, a long video's callback could not be kept.
    const signedTooLarge = JSON.stringify(padded(signedBody(seed(), KEY, VALID_UNTIL)))
    expect(await invokeKeeping(signedTooLarge)).toStrictEqual({ status: 413, kept: [413] })
    expect(await invokeKeeping(JSON.stringify(padded(seed())))).toStrictEqual({
      status: 401,
      kept: [],
    })
    expect(
      logger.lines.map((line) => [line.message, line.fields?.statusCode, line.fields?.check]),
    ).toStrictEqual([
      ['callback quarantined', 413, undefined],
      ['callback rejected', 413, undefined],
      ['callback rejected', 401, 'signature-missing'],
    ])
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
    // Base64-encoded by API Gateway: the limits count the bytes VOD sent, not the encoding's.
    expect(await invokeKeeping(signedTooLarge, true)).toStrictEqual({ status: 413, kept: [413] })
    const signedJustUnder = JSON.stringify(
      padded(signedBody(seed(), KEY, VALID_UNTIL), MAX_BODY_BYTES - 1024),
    )
    expect(Buffer.from(signedJustUnder).toString('base64').length).toBeGreaterThan(MAX_BODY_BYTES)
    expect(await invokeKeeping(signedJustUnder, true)).toStrictEqual({ status: 200, kept: [] })
  })

  it('refuses 401 a base64 body with an invalid UTF-8 byte and no signature, and keeps nothing', async () => {
    // Found outside: it was answered 422 by the body limits, before the signature, and kept;
    // a replay then decoded it loosely into valid JSON and stored its results.
    const text = JSON.stringify(seed())
    const bytes = Buffer.concat([
      Buffer.from(text.slice(0, 20)),
      Buffer.from([0xff]),
      Buffer.from(text.slice(20)),
    ])
    const quarantine = memoryQuarantine()
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN, CALLBACK_SIGN_KEY: KEY }),
      client: new DynamoDBClient({}),
      quarantine,
      logger,
      metrics,
      now: () => NOW,
    })
    const event = callbackEvent(bytes.toString('base64'), {
      token: TOKEN,
      isBase64Encoded: true,
      headers: { 'content-type': 'application/octet-stream' },
    })
    const response = await handler(event, lambdaContext())
    expect(response).toStrictEqual(UNAUTHORIZED)
    expect(quarantine.kept).toStrictEqual([])
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
    expect(logger.lines.map((line) => [line.message, line.fields])).toStrictEqual([
      ['callback rejected', { statusCode: 401, check: 'signature-unreadable' }],
    ])
  })

  it('counts a wrong or missing signature as SignatureRejected, and a wrong token not', async () => {
    await invokeKeeping(JSON.stringify(seed()))
    await invokeKeeping(
      JSON.stringify({ ...signedBody(seed(), KEY, VALID_UNTIL), Sign: '0'.repeat(32) }),
    )
    expect(metrics.totals()).toMatchObject({ SignatureRejected: 2 })
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN, CALLBACK_SIGN_KEY: KEY }),
      client: new DynamoDBClient({}),
      logger,
      metrics,
      now: () => NOW,
    })
    await handler(callbackEvent(JSON.stringify(seed()), { token: 'wrong' }), lambdaContext())
    expect(metrics.totals()).toMatchObject({ CallbacksRejected: 3, SignatureRejected: 2 })
  })

  it('keeps a signed callback answered 422, and never an unsigned one (401)', async () => {
    const invalid = seed() as { data: { picInfo: { timeOffset: number }[] } }
    const first = invalid.data.picInfo[0]
    if (first) first.timeOffset = -1
    expect(
      await invokeKeeping(JSON.stringify(signedBody(invalid, KEY, VALID_UNTIL))),
    ).toStrictEqual({ status: 422, kept: [422] })
    expect(await invokeKeeping(JSON.stringify(invalid))).toStrictEqual({ status: 401, kept: [] })
  })
})
