import { randomUUID } from 'node:crypto'
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import { UNSTORED_CALLBACK_MARKER } from '../durability/fallback-message'
import { logPieces } from '../durability/keep-rejected'
import type { EventFallbackQueue } from '../durability/unpublished-events'
import { errorMessage, type Logger, type MetricsSink } from '../runtime/log'
import { EventPublishError, type EventPublisher } from './event-publisher'

/** Where an event ended: on the bus, in the fallback queue for the redrive, or in the log. */
export type PublishOutcome = 'published' | 'queued' | 'logged'

export interface PublishDependencies {
  publisher: EventPublisher
  fallback?: EventFallbackQueue
  logger: Logger
  metrics: MetricsSink
}

/**
 * Puts entries on the bus within `timeMs`: half of it for EventBridge, the rest for the fallback
 * queue (the redrive puts them on the bus later), and the error log under
 * {@link UNSTORED_CALLBACK_MARKER} as the last resort, each detail in pieces so nothing is cut.
 * Never throws.
 */
export async function publishDurably(
  entries: readonly PutEventsRequestEntry[],
  { publisher, fallback, logger, metrics }: PublishDependencies,
  timeMs: number,
): Promise<PublishOutcome> {
  if (entries.length === 0) return 'published'
  const started = performance.now()
  let unpublished: PutEventsRequestEntry[] = [...entries]
  let refused: PutEventsRequestEntry[] = []
  let reason: string
  try {
    await publisher.publish(entries, AbortSignal.timeout(Math.max(1, Math.floor(timeMs / 2))))
    metrics.addMetric('EventsPublished', 'Count', entries.length)
    return 'published'
  } catch (error) {
    if (error instanceof EventPublishError) ({ unpublished, refused } = error)
    reason = errorMessage((error instanceof EventPublishError && error.cause) || error)
  }
  metrics.addMetric(
    'EventsPublished',
    'Count',
    entries.length - unpublished.length - refused.length,
  )
  // Refused for what they are: no later attempt can help, so the log keeps them at once.
  if (refused.length > 0) logUnpublished(refused, { logger, metrics })
  if (unpublished.length === 0) return 'logged'
  const left = timeMs - (performance.now() - started)
  if (fallback && left > 0) {
    try {
      await fallback.sendEvents(unpublished, AbortSignal.timeout(Math.max(1, Math.floor(left))))
      logger.warn('events queued', { events: unpublished.length, reason })
      metrics.addMetric('EventsQueued', 'Count', unpublished.length)
      return 'queued'
    } catch (queueError) {
      logger.error('fallback queue failed', { reason: errorMessage(queueError) })
    }
  }
  return logUnpublished(unpublished, { logger, metrics })
}

/**
 * The last resort: each entry in the error log under {@link UNSTORED_CALLBACK_MARKER}, its
 * detail in pieces that each stay under CloudWatch's 256 KB event limit.
 */
export function logUnpublished(
  entries: readonly PutEventsRequestEntry[],
  { logger, metrics }: Pick<PublishDependencies, 'logger' | 'metrics'>,
): 'logged' {
  for (const { Detail = '', ...entry } of entries) {
    const pieces = logPieces(Detail)
    // Names the pieces of one event: `npm run replay` puts them back together.
    const id = randomUUID()
    for (const [i, piece] of pieces.entries()) {
      logger.error(UNSTORED_CALLBACK_MARKER, {
        reason: 'event not published',
        id,
        event: entry,
        part: i + 1,
        parts: pieces.length,
        detailPart: piece,
      })
    }
  }
  metrics.addMetric('EventsLogged', 'Count', entries.length)
  return 'logged'
}
