import { requestTimeouts } from '../runtime/request-timeouts'
import type { FallbackQueue } from './fallback-queue'
import type { EventFallbackQueue } from './unpublished-events'

type Queue = FallbackQueue & EventFallbackQueue

/**
 * The SQS fallback queue at `queueUrl`, its client loaded on the first send only: most
 * containers never need it, and importing it would slow every cold start. `endpoint` is the
 * local stage's SQS emulator; undefined in AWS.
 */
export function lazySqsFallbackQueue(queueUrl: string, endpoint?: string): Queue {
  let queue: Promise<Queue> | undefined
  const load = () => {
    queue ??= Promise.all([import('@aws-sdk/client-sqs'), import('./fallback-queue')]).then(
      ([{ SQSClient }, { sqsFallbackQueue }]) =>
        sqsFallbackQueue(
          new SQSClient({
            ...(endpoint === undefined ? {} : { endpoint }),
            maxAttempts: 2,
            requestHandler: requestTimeouts(300, 700),
          }),
          queueUrl,
        ),
    )
    return queue
  }
  return {
    send: async (items, signal) => (await load()).send(items, signal),
    sendEvents: async (entries, signal) => (await load()).sendEvents(entries, signal),
  }
}
