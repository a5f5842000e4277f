import type middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { parse } from 'secure-json-parse'
import {
  type CallbackHttpError,
  checkBodyLimits,
  type DecodedBody,
  httpError,
} from './http-middleware'

const FORBIDDEN_KEY = 'Object contains forbidden prototype property'

/** The event after {@link jsonBody}: its body parsed, and the text it was parsed from. */
export type ParsedBodyEvent = Omit<APIGatewayProxyEventV2, 'body'> & {
  body: unknown
  rawBody: string
}

/**
 * JSON that refuses a key reaching an object's prototype: throws a SyntaxError with
 * secure-json-parse's message for one. The front door parses every body with it.
 */
export function parseBodyText(text: string): unknown {
  return parse(text, null, { protoAction: 'error', constructorAction: 'error' })
}

/**
 * The text of a body that passed {@link checkBodyLimits}, parsed with {@link parseBodyText}:
 * a 400 that says what was expected, never what came, for what is not JSON or holds a
 * prototype key.
 *
 * @throws {CallbackHttpError}
 */
function parseCallbackText(text: string): unknown {
  try {
    return parseBodyText(text)
  } catch (error) {
    const forbidden = error instanceof SyntaxError && error.message === FORBIDDEN_KEY
    throw httpError(400, 'Body is not valid JSON', [
      forbidden
        ? 'body: expected no __proto__ or constructor.prototype key'
        : 'body: expected JSON',
    ])
  }
}

const decodedText = (body: string, isBase64Encoded?: boolean) =>
  isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body

/**
 * A body read exactly as the front door reads one: required and text, at most `maxBytes`,
 * UTF-8, JSON without prototype keys. The replays read kept and logged bodies with it, so a
 * body refused live for what it holds is refused again, never decoded more kindly; their
 * `maxBytes` is what Lambda passes, not the live answer's 1 MB.
 *
 * @throws {CallbackHttpError} 400, 413 or 422, with the problems the front door answers
 */
function readCallbackBody(
  event: { body?: unknown; isBase64Encoded?: boolean },
  maxBytes: number,
): { parsed: unknown; text: string } {
  const text = checkBodyLimits(event, maxBytes)
  return { parsed: parseCallbackText(text), text }
}

/**
 * {@link readCallbackBody} for a replay, which keeps what the front door would refuse: the
 * problems it would answer with instead of a throw.
 */
export function readKeptBody(
  event: { body?: unknown; isBase64Encoded?: boolean },
  maxBytes: number,
): { parsed: unknown; text: string } | { problems: string[] } {
  try {
    return readCallbackBody(event, maxBytes)
  } catch (error) {
    const problems = (error as Partial<CallbackHttpError>).problems
    if (!problems) throw error
    return { problems }
  }
}

/**
 * Parses the body as JSON whatever the Content-Type says (VOD documents none), refusing a key
 * that could reach an object's prototype (`__proto__`, `constructor.prototype`) with a 400.
 * secure-json-parse parses plainly and scans only a body whose text holds such a key: a reviver
 * on every value, as @middy/http-json-body-parser uses, took 0.9 s on a 1 MB body of 330,000
 * empty objects. Runs after {@link bodyLimits}, which guarantees a non-empty string.
 */
export function jsonBody(): middy.MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
> {
  return {
    before: (request) => {
      const { body = '', isBase64Encoded } = request.event
      // Decoded once, by bodyLimits, when it ran first.
      const { bodyText } = request.internal as DecodedBody
      const text = typeof bodyText === 'string' ? bodyText : decodedText(body, isBase64Encoded)
      // The text stays beside what it parsed to: events are forwarded exactly as VOD sent them.
      Object.assign(request.event, { body: parseCallbackText(text), rawBody: text })
    },
  }
}
