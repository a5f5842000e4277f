import type middy from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { keepRejectedCallback } from '../durability/keep-rejected'
import type { Quarantine } from '../durability/quarantine'
import { knownVodEventType } from '../events/vod-event-types'
import type { Logger, MetricsSink } from '../runtime/log'
import type { CallbackHttpError } from './http-middleware'

type Request = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>

/** The answers that mean "authenticated, but not a callback we could take": kept whole. */
const KEPT_STATUSES = new Set([400, 413, 422])

/** The event type a parsed body names, when VOD documents it (it is in the kept body anyway). */
function eventTypeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { eventType, EventType } = body as Record<string, unknown>
  const named = typeof eventType === 'string' ? eventType : EventType
  return knownVodEventType(named)
}

/**
 * Keeps every authenticated request that is answered 400, 413 or 422 whole in the quarantine
 * before the answer leaves, within what is left of `answerMs`. A 401 never reaches it: an
 * unauthenticated body (bad token, or with a SignKey a signature that could not be verified) is
 * never kept. Registered right after `errorLogging`: its `before`
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
}: {
  quarantine?: Quarantine
  logger: Logger
  metrics: MetricsSink
  secrets: readonly string[]
  answerMs: number
  now?: () => Date
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
      // With a SignKey configured, every 400, 413 or 422 passed the signature check: a body that
      // could not be read far enough to verify it was answered 401 (readBeforeSignature).
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
