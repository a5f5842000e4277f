import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EventPublishError, type EventPublisher } from '../../lib/forward/event-publisher'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { validCallbacks } from '../support/callback-arbitraries'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import { callbackEvent, lambdaContext } from '../support/http-event'
import { memoryQuarantine } from '../support/memory-quarantine'
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

/** How the secret is written in the text sent: as it is, or with JSON or URL escapes. */
type Spelling = 'plain' | 'json' | 'url' | 'mixed'
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0')
function spell(text: string, secret: string, spelling: Spelling): string {
  if (spelling === 'plain') return text
  const written = [...secret]
    .map((character, i) => {
      const json = `\\u${hex(character.charCodeAt(0), 4)}`
      const url = encodeURIComponent(character).startsWith('%')
        ? encodeURIComponent(character)
        : `%${hex(character.charCodeAt(0), 2).toUpperCase()}`
      if (spelling === 'json') return json
      if (spelling === 'url') return url
      return i % 3 === 0 ? json : i % 3 === 1 ? url : character
    })
    .join('')
  return text.replaceAll(secret, written)
}

/** The text with every JSON \u and URL % escape decoded, so no spelling hides a secret. */
function decoded(text: string): string {
  let out = text
  for (let pass = 0; pass < 3; pass++) {
    out = out
      .replace(/\\+u([0-9a-fA-F]{4})/g, (_, code) => String.fromCharCode(Number.parseInt(code, 16)))
      .replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
        try {
          return decodeURIComponent(run)
        } catch {
          return run
        }
      })
  }
  return out
}

/** A publisher that refuses the first `failures` calls, then takes everything. */
function flakyPublisher(failures: number): EventPublisher {
  let calls = 0
  return {
    async publish(entries) {
      calls++
      if (calls <= failures) throw new EventPublishError([...entries])
    },
  }
}

const requests = fc.record({
  body: bodies,
  spelling: fc.constantFrom<Spelling>('plain', 'json', 'url', 'mixed'),
  forwarding: fc.constantFrom('none', 'ok', 'retried', 'failing'),
  quarantine: fc.boolean(),
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
  it('no answer, log line or kept body ever holds a configured token or signing key, however spelled', async () => {
    let runs = 0
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        runs++
        ddb.reset()
        if (request.storage === 'ok') ddb.on(BatchWriteItemCommand).resolves({})
        else ddb.on(BatchWriteItemCommand).rejects(new Error('DynamoDB is down'))
        const logger = captureLogger()
        const quarantine = request.quarantine ? memoryQuarantine() : undefined
        const failures = { none: 0, ok: 0, retried: 1, failing: 1000 }[request.forwarding]
        const handler = createCallbackHandler({
          quarantine,
          forwarding:
            request.forwarding === 'none'
              ? undefined
              : { publisher: flakyPublisher(failures), busName: 'bus', all: true },
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
        const plain =
          typeof body === 'string'
            ? body
            : JSON.stringify(
                request.signed && signable
                  ? signedBody(body, SIGN_KEY, NOW.getTime() / 1000 + 600)
                  : body,
              )
        // The secrets written in the chosen spelling; the signature itself stays as it was.
        const sent = SECRETS.reduce((text, s) => spell(text, s, request.spelling), plain)
        const event = request.base64
          ? callbackEvent(Buffer.from(sent).toString('base64'), {
              token: request.token,
              isBase64Encoded: true,
            })
          : callbackEvent(sent, { token: request.token })

        const response = await handler(event, lambdaContext())

        const answer = decoded(JSON.stringify(response))
        const log = decoded(logger.text())
        const kept = decoded(JSON.stringify(quarantine?.kept ?? []))
        for (const s of request.signKey ? SECRETS : [TOKEN]) {
          expect(answer).not.toContain(s)
          expect(log).not.toContain(s)
          expect(kept).not.toContain(s)
        }
        // Every path logs: a handler that logs nothing cannot pass by saying nothing.
        expect(logger.lines.length).toBeGreaterThan(0)
        // A rejected, authenticated body took the quarantine path (its kept body is checked above).
        if ([400, 413, 422].includes(response?.statusCode ?? 0) && quarantine) {
          expect(quarantine.kept.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 400 },
    )
    console.info(`secrets property: ${runs} requests`)
  }, 120_000)
})
