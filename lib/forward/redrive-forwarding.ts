import type { RedriveForwarding } from '../durability/redrive'
import type { Logger, MetricsSink } from '../runtime/log'
import { EventPublishError, type EventPublisher } from './event-publisher'
import { createForwarder } from './forwarder'
import { logUnpublished } from './publish-durably'

/**
 * The redrive's forwarding: queued events go to the bus through `publisher` (a failure leaves
 * the message for SQS to deliver again), and a message's written results are announced like the
 * callback function's. The redrive holds no queue client: an announcement the bus refuses is
 * logged under the unstored marker.
 */
export function redriveForwarding({
  publisher,
  busName,
  logger,
  metrics,
}: {
  publisher: EventPublisher
  busName: string
  logger: Logger
  metrics: MetricsSink
}): RedriveForwarding {
  const forwarder = createForwarder({ busName, publisher, logger, metrics })
  return {
    async publish(entries, signal) {
      try {
        await publisher.publish(entries, signal)
      } catch (error) {
        if (!(error instanceof EventPublishError)) throw error
        // Refused for what they are: the log keeps them, another delivery would not help.
        if (error.refused.length > 0) logUnpublished(error.refused, { logger, metrics })
        if (error.unpublished.length > 0) throw error
      }
    },
    forwarder,
  }
}
