import { createHash, timingSafeEqual } from 'node:crypto'
import type middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { isPlainObject } from '../runtime/json'
import { httpError } from './http-middleware'

/**
 * How long after `T` a callback is still accepted: clocks drift, and VOD's may run ahead of
 * Lambda's. Five minutes, on top of VOD's default validity of ten.
 */
export const CLOCK_SKEW_SECONDS = 300

/**
 * How far ahead of now `T` may lie. VOD sets it 10 minutes after sending by default; a day
 * leaves room for a longer validity while still refusing a signature that would never expire.
 */
export const MAX_VALIDITY_SECONDS = 24 * 60 * 60

/** The check that failed: the only thing about a bad signature that is ever logged. */
export type SignatureFailure =
  | 'signature-unreadable'
  | 'signature-missing'
  | 'expiry-malformed'
  | 'signature-expired'
  | 'expiry-too-far-ahead'
  | 'signature-mismatch'

const HEX_MD5 = /^[0-9a-fA-F]{32}$/
const DIGITS = /^[0-9]{1,19}$/

const md5 = (text: string): Buffer => createHash('md5').update(text, 'utf8').digest()

/**
 * The fields VOD adds to a callback signed with `key`: `T`, the expiry in Unix seconds, and
 * `Sign`, the hex MD5 of the key followed by T's digits. For senders of test callbacks.
 */
export function vodSignature(key: string, expiresAt: number): { Sign: string; T: number } {
  return { Sign: md5(`${key}${expiresAt}`).toString('hex'), T: expiresAt }
}

/** `T` as VOD sent it: a JSON number, or digits in a string; its decimal digits are signed. */
function expiryDigits(t: unknown): string | undefined {
  if (typeof t === 'number') return Number.isSafeInteger(t) && t >= 0 ? String(t) : undefined
  return typeof t === 'string' && DIGITS.test(t) ? t : undefined
}

/**
 * Builds the check of VOD's callback signature: `Sign` is the hex MD5 of a configured key
 * followed by `T`'s decimal digits, and `T` (the signature's expiry, Unix seconds) has not
 * passed. Every key is compared in constant time, with no early exit.
 *
 * @param keys the configured `SignKey`s, at least one
 * @returns a function of the parsed body and the current time giving the failed check, or
 * `undefined` when the signature is valid
 */
export function createSignatureCheck(
  keys: readonly string[],
): (body: unknown, nowMs: number) => SignatureFailure | undefined {
  return (body, nowMs) => {
    const { Sign: sign, T: t } = isPlainObject(body) ? body : {}
    if (sign === undefined || t === undefined) return 'signature-missing'
    const digits = expiryDigits(t)
    if (digits === undefined) return 'expiry-malformed'
    const expiresAt = Number(digits)
    const now = Math.floor(nowMs / 1000)
    if (expiresAt + CLOCK_SKEW_SECONDS < now) return 'signature-expired'
    if (expiresAt > now + MAX_VALIDITY_SECONDS) return 'expiry-too-far-ahead'
    if (typeof sign !== 'string' || !HEX_MD5.test(sign)) return 'signature-mismatch'
    const given = Buffer.from(sign, 'hex')
    let matched = false
    for (const key of keys) matched = timingSafeEqual(given, md5(key + digits)) || matched
    return matched ? undefined : 'signature-mismatch'
  }
}

/**
 * With a SignKey the body must be read before its `Sign` and `T` can be: any refusal of the
 * readers in `middlewares` (no body, over what Lambda passes, not UTF-8, not JSON, a prototype key)
 * becomes the same 401 as a bad signature, so that nothing of an unauthenticated body is kept,
 * logged or answered beyond the failed check's name.
 */
export function readBeforeSignature(
  middlewares: middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>[],
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    before: async (request) => {
      try {
        for (const middleware of middlewares) await middleware.before?.(request)
      } catch (error) {
        if ((error as { statusCode?: unknown }).statusCode === undefined) throw error
        const unreadable: SignatureFailure = 'signature-unreadable'
        throw Object.assign(httpError(401, 'Unauthorized'), { check: unreadable })
      }
    },
  }
}

/**
 * Rejects a parsed body whose `Sign` and `T` do not pass `check`, with the same 401 as a bad
 * token; the error carries the failed check's name for the log. Runs after the JSON parser:
 * VOD puts both fields at the top level of the body.
 */
export function callbackSignatureAuth(
  check: ReturnType<typeof createSignatureCheck>,
  now: () => Date,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    before: (request) => {
      const failure = check(request.event.body, now().getTime())
      if (failure) throw Object.assign(httpError(401, 'Unauthorized'), { check: failure })
    },
  }
}
