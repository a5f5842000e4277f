import type middy from '@middy/core'
import { createError } from '@middy/util'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { UNSTORED_RESULTS_ERROR } from '../durability/keep-unstored'
import { stringifyOrUndefined } from '../runtime/json'
import type { Logger, MetricsSink } from '../runtime/log'
import { redactForLog } from '../runtime/log'
import { utf8Text } from '../runtime/utf8'

type Middleware = middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>
type Request = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>

/** The error body every non-2xx answer carries: the status, what went wrong, and each problem. */
interface ErrorBody {
  code: number
  message: string
  problems?: string[]
}

/**
 * An HTTP error whose message is the JSON body that http-error-handler sends as it is; `check`
 * names the authentication check that failed, for the log only.
 */
export type CallbackHttpError = Error & { statusCode: number; problems?: string[]; check?: string }

/** Builds a {@link CallbackHttpError}; `problems` are `path: message` lines. */
export function httpError(
  statusCode: number,
  message: string,
  problems?: string[],
  cause?: unknown,
): CallbackHttpError {
  const body: ErrorBody = problems
    ? { code: statusCode, message, problems }
    : { code: statusCode, message }
  return Object.assign(createError(statusCode, JSON.stringify(body), { cause }), { problems })
}

/**
 * Rejects a request whose `token` query parameter is not a configured token, before its body
 * is even read. The answer names nothing: not which part was wrong, nor what was expected.
 */
export function callbackTokenAuth(
  isValidToken: (token: string | undefined) => boolean,
): Middleware {
  return {
    before: (request) => {
      // Lambda can be invoked with anything: a null event, a token that is an array or a number.
      const event = request.event as { queryStringParameters?: { token?: unknown } } | null
      const token = event?.queryStringParameters?.token
      if (!isValidToken(typeof token === 'string' ? token : undefined)) {
        throw httpError(401, 'Unauthorized')
      }
    },
  }
}

/** The decoded size of the body in bytes, without decoding it. */
function bodyBytes(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): number {
  if (typeof event.body !== 'string') return 0
  return Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
}

/**
 * Answers 400 to a request without a body (API Gateway leaves the key out, a local stack may
 * send null) or with one that is not text, 413 to a body over `maxBytes`, and 422 to a
 * base64-encoded body that is not UTF-8, before anything parses it: decoded loosely, its invalid
 * bytes would all become U+FFFD.
 *
 * @returns the body's text, decoded once here when API Gateway encoded it (VOD sends no
 * Content-Type: every callback may come base64-encoded)
 * @throws {CallbackHttpError}
 */
export function checkBodyLimits(
  event: { body?: unknown; isBase64Encoded?: boolean } | null,
  maxBytes: number,
): string {
  const body = event?.body
  if (body === undefined || body === null || body === '') {
    throw httpError(400, 'Body is not valid JSON', ['body: is required'])
  }
  if (typeof body !== 'string') {
    throw httpError(400, 'Body is not valid JSON', ['body: expected text'])
  }
  checkSize(bodyBytes({ body, isBase64Encoded: event?.isBase64Encoded === true }), maxBytes)
  if (event?.isBase64Encoded !== true) return body
  try {
    return utf8Text(Buffer.from(body, 'base64'))
  } catch {
    throw httpError(422, 'Invalid callback', ['body: must be well-formed UTF-8'])
  }
}

/** @throws {CallbackHttpError} 413 when `size` bytes are more than `maxBytes` */
function checkSize(size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw httpError(413, 'Payload Too Large', [`body: ${size} bytes, at most ${maxBytes} allowed`])
  }
}

/**
 * The size limit once the body is parsed (its text kept as `rawBody`): with a SignKey the body
 * is read up to what Lambda passes so that its signature can be checked, and a signed body over
 * `maxBytes` is then an authenticated 413, kept like any other.
 */
export function parsedBodyLimit(maxBytes: number): Middleware {
  return {
    before: (request) => {
      const { rawBody } = request.event as { rawBody?: unknown }
      checkSize(typeof rawBody === 'string' ? Buffer.byteLength(rawBody) : 0, maxBytes)
    },
  }
}

/** The raw body as sent, decoded from base64 when API Gateway encoded it. */
function rawBodyText(event: APIGatewayProxyEventV2 | null): string {
  // Kept by the JSON reader: the text as it came, which redaction reads in every spelling.
  const { rawBody } = (event ?? {}) as { rawBody?: unknown }
  if (typeof rawBody === 'string') return rawBody
  const body: unknown = event?.body
  if (typeof body !== 'string') {
    // Written again from what was parsed, so that a token spelled with \u escapes is redacted
    // too; a body nested deeper than the stack allows is not logged.
    const text = stringifyOrUndefined(body)
    return text === undefined && body !== undefined
      ? '(not logged: nested too deeply)'
      : (text ?? '')
  }
  return event?.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body
}

/**
 * Logs and counts every failed request once. Registered after `http-error-handler`, so it runs
 * before it: the error it sees is the one the caller will get.
 */
export function errorLogging(
  logger: Logger,
  metrics: MetricsSink,
  secrets: readonly string[],
): Middleware {
  return {
    onError: (request: Request) => {
      const error = request.error as Partial<CallbackHttpError> | null
      if (!error) return
      const statusCode = error.statusCode ?? 500
      if (error.name === UNSTORED_RESULTS_ERROR) {
        // A storage outage, counted and logged where it was met: not a bug.
        logger.error('callback not stored', { statusCode, reason: error.message })
      } else if (statusCode >= 500) {
        logger.error('callback failed', { statusCode, error: error.name, reason: error.message })
        metrics.addMetric('CallbacksFailed', 'Count', 1)
      } else if (statusCode === 401) {
        logger.warn('callback rejected', { statusCode, ...(error.check && { check: error.check }) })
        metrics.addMetric('CallbacksRejected', 'Count', 1)
        // The token was right and the signature was not: a SignKey changed in VOD, not deployed.
        if (error.check) metrics.addMetric('SignatureRejected', 'Count', 1)
      } else {
        metrics.addMetric('CallbacksRejected', 'Count', 1)
        logger.warn('callback rejected', {
          statusCode,
          problems: error.problems,
          body: redactForLog(rawBodyText(request.event), secrets),
        })
      }
    },
  }
}
