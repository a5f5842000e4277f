import type middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { keepRejectedCallback } from '../durability/keep-rejected'
import type { Quarantine } from '../durability/quarantine'
import { parseJsonOrUndefined } from '../runtime/json'
import type { Logger, MetricsSink } from '../runtime/log'
import type { createSignatureCheck } from './callback-signature'
import type { CallbackHttpError } from './http-middleware'

type Request = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>

/** The answers that mean "authenticated, but not a callback we could take": kept whole. */
const KEPT_STATUSES = new Set([400, 413, 422])

// VOD's event types are short plain words; anything else is not echoed into the quarantine's
// listing (it is still in the kept body).
const PLAIN_EVENT_TYPE = /^[A-Za-z0-9]{1,64}$/

/** The event type a parsed body names, when it is a plain word. */
function eventTypeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { eventType, EventType } = body as Record<string, unknown>
  const named = typeof eventType === 'string' ? eventType : EventType
  return typeof named === 'string' && PLAIN_EVENT_TYPE.test(named) ? named : undefined
}

/**
 * Keeps every authenticated request that is answered 400, 413 or 422 whole in the quarantine
 * before the answer leaves, within what is left of `answerMs`. A 401 never reaches it: an
 * unauthenticated body is never kept. Registered right after `errorLogging`: its `before`
 * sees the body before the JSON parser replaces it, and its `onError` the final status, before
 * the error is logged and rendered.
 */
export function quarantineRejected({
  quarantine,
  logger,
  metrics,
  secrets,
  answerMs,
  now = () => new Date(),
  signatureCheck,
}: {
  quarantine?: Quarantine
  logger: Logger
  metrics: MetricsSink
  secrets: readonly string[]
  answerMs: number
  now?: () => Date
  /**
   * With a signing key, a body rejected before the signature check (400, 413) is kept only when
   * it carries a valid signature: "authenticated" means both the token and the signature.
   */
  signatureCheck?: ReturnType<typeof createSignatureCheck>
}): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  // The body as it arrived: the JSON parser replaces event.body with what it parsed.
  const arrived = new WeakMap<Request, { at: number; body: unknown; base64: boolean }>()
  return {
    before: (request) => {
      const { body, isBase64Encoded } = (request.event ?? {}) as Partial<APIGatewayProxyEventV2>
      arrived.set(request, { at: performance.now(), body, base64: isBase64Encoded === true })
    },
    onError: async (request) => {
      const error = request.error as Partial<CallbackHttpError> | null
      if (!error?.statusCode || !KEPT_STATUSES.has(error.statusCode)) return
      const raw = arrived.get(request)
      if (typeof raw?.body !== 'string' || raw.body === '') return
      const parsed = typeof request.event?.body === 'string' ? undefined : request.event?.body
      // A 422 passed the signature check already; a 400 or 413 came before it.
      if (signatureCheck && error.statusCode !== 422) {
        const text = raw.base64 ? Buffer.from(raw.body, 'base64').toString('utf8') : raw.body
        if (signatureCheck(parseJsonOrUndefined(text), now().getTime()) !== undefined) {
          logger.warn('rejected callback not kept: not signed', { statusCode: error.statusCode })
          return
        }
      }
      await keepRejectedCallback(
        {
          statusCode: error.statusCode,
          problems: error.problems ?? [],
          receivedAt: now().toISOString(),
          // The invocation's ID: the one the function's log lines carry, and unique even
          // where API Gateway's is not (serverless-offline gives every request the same one).
          requestId:
            request.context?.awsRequestId || request.event?.requestContext?.requestId || '',
          body: raw.body,
          isBase64Encoded: raw.base64,
          eventType: eventTypeOf(parsed),
        },
        {
          quarantine,
          logger,
          metrics,
          secrets,
          timeoutMs: answerMs - (performance.now() - raw.at) - 200,
        },
      )
    },
  }
}
