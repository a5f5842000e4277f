import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { validCallbacks } from '../support/callback-arbitraries'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import { callbackEvent, lambdaContext } from '../support/http-event'
import { signedBody } from '../support/vod-signature'

const TOKEN = 'secret-token-0123456789abcdef'
const SIGN_KEY = 'SecretSignKey0123456789'
const SECRETS = [TOKEN, SIGN_KEY]
const NOW = new Date('2026-11-24T03:00:00.000Z')

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Puts `value` somewhere in `body`, following `choices` down through objects and arrays. */
function placeAt(body: Json, choices: number[], value: Json, asKey: boolean): Json {
  let node = body
  for (const choice of choices) {
    if (typeof node !== 'object' || node === null) break
    const keys = Object.keys(node)
    if (keys.length === 0) break
    const key = keys[choice % keys.length] as string
    const child = (node as Record<string, Json>)[key] as Json
    if (typeof child !== 'object' || child === null || choice % 5 === 0) {
      if (asKey && !Array.isArray(node)) (node as Record<string, Json>)[String(value)] = child
      else (node as Record<string, Json>)[key] = value
      return body
    }
    node = child
  }
  if (typeof node === 'object' && node !== null && !Array.isArray(node)) node.secret = value
  return body
}

const secret = fc.constantFrom(...SECRETS)
const carriers = secret.chain((s) =>
  fc.constantFrom<Json>(s, `tok:${s}`, [s], { value: s }, `${s}\ud800`, `${'x'.repeat(5000)}${s}`),
)

/** A body carrying a secret somewhere: in a valid callback, as text, or as the whole body. */
const bodies = fc.oneof(
  fc
    .record({
      callback: validCallbacks,
      choices: fc.array(fc.nat(), { maxLength: 6 }),
      value: carriers,
      asKey: fc.boolean(),
      eventType: fc.option(secret.map((s) => `Event${s}`)),
    })
    .map(({ callback, choices, value, asKey, eventType }) => {
      const body = structuredClone(callback.body) as Json & Record<string, Json>
      if (eventType) body[callback.format === 'v3' ? 'EventType' : 'eventType'] = eventType
      return placeAt(body, choices, value, asKey)
    }),
  fc.tuple(fc.string(), secret, fc.string()).map(([a, s, b]) => `${a}${s}${b}`),
  validCallbacks.map((callback) => callback.body as Json),
)

const requests = fc.record({
  body: bodies,
  signKey: fc.boolean(),
  signed: fc.boolean(),
  base64: fc.boolean(),
  storage: fc.constantFrom('ok', 'down'),
  token: fc.oneof(
    { arbitrary: fc.constant(TOKEN), weight: 4 },
    secret.map((s) => `${s}x`),
  ),
})

const ddb = mockClient(DynamoDBClient)

describe('whatever the body, with or without a signing key', () => {
  it('no answer and no log line ever contains a configured token or signing key', async () => {
    let runs = 0
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        runs++
        ddb.reset()
        if (request.storage === 'ok') ddb.on(BatchWriteItemCommand).resolves({})
        else ddb.on(BatchWriteItemCommand).rejects(new Error('DynamoDB is down'))
        const logger = captureLogger()
        const handler = createCallbackHandler({
          config: loadConfig({
            TABLE_NAME: 'vod-snapshots-secrets',
            CALLBACK_TOKEN: TOKEN,
            CALLBACK_SIGN_KEY: request.signKey ? SIGN_KEY : '',
          }),
          client: new DynamoDBClient({}),
          logger,
          metrics: captureMetrics(),
          now: () => NOW,
          storeOptions: { sleep: async () => {}, maxAttempts: 1 },
        })
        const { body } = request
        const signable = typeof body === 'object' && body !== null && !Array.isArray(body)
        const sent =
          typeof body === 'string'
            ? body
            : JSON.stringify(
                request.signed && signable
                  ? signedBody(body, SIGN_KEY, NOW.getTime() / 1000 + 600)
                  : body,
              )
        const event = request.base64
          ? callbackEvent(Buffer.from(sent).toString('base64'), {
              token: request.token,
              isBase64Encoded: true,
            })
          : callbackEvent(sent, { token: request.token })

        const response = await handler(event, lambdaContext())

        const answer = JSON.stringify(response)
        const log = logger.text()
        for (const s of request.signKey ? SECRETS : [TOKEN]) {
          expect(answer).not.toContain(s)
          expect(log).not.toContain(s)
        }
      }),
      { numRuns: 400 },
    )
    console.info(`secrets property: ${runs} requests`)
  }, 120_000)
})
