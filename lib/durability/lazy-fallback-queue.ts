import type { FallbackQueue } from './fallback-queue'

/**
 * The SQS fallback queue at `queueUrl`, its client loaded on the first send only: most
 * containers never need it, and importing it would slow every cold start. `endpoint` is set
 * only on the local stage (its SQS emulator).
 */
export function lazySqsFallbackQueue(queueUrl: string, endpoint?: string): FallbackQueue {
  let queue: Promise<FallbackQueue> | undefined
  return {
    async send(items, signal) {
      queue ??= Promise.all([import('@aws-sdk/client-sqs'), import('./fallback-queue')]).then(
        ([{ SQSClient }, { sqsFallbackQueue }]) =>
          sqsFallbackQueue(
            new SQSClient({
              ...(endpoint === undefined ? {} : { endpoint }),
              maxAttempts: 2,
              requestHandler: { connectionTimeout: 300, requestTimeout: 700 },
            }),
            queueUrl,
          ),
      )
      return (await queue).send(items, signal)
    },
  }
}
