import { setTimeout as delay } from 'node:timers/promises'
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import type { Logger } from '../runtime/log'
import type { EventPublisher } from './event-publisher'
import { ANNOUNCEMENT_TYPE } from './vod-event-entry'

/** How the local delivery retries, as EventBridge's retry policy does for an API destination. */
export interface DeliveryOptions {
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  timeoutMs?: number
}

/**
 * The local stack's stand-in for the stage's bus and its rule to an API destination: every VOD
 * event put on it is POSTed, its detail as the body, to `url`, in the background with
 * retries, while `publish` returns at once, as PutEvents does. Announcements go to no receiver
 * here (the deployed rule does not forward them either); they are logged.
 *
 * @returns the publisher, and `idle()` that resolves once every delivery has ended (for tests)
 */
export function httpDeliveryPublisher(
  url: string,
  logger: Logger,
  { maxAttempts = 8, baseDelayMs = 200, maxDelayMs = 5000, timeoutMs = 5000 }: DeliveryOptions = {},
): EventPublisher & { idle(): Promise<void> } {
  const inFlight = new Set<Promise<void>>()

  const deliver = async (entry: PutEventsRequestEntry) => {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let failure: string
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: entry.Detail ?? '',
          signal: AbortSignal.timeout(timeoutMs),
        })
        await response.arrayBuffer()
        if (response.ok) {
          logger.info('event forwarded', { detailType: entry.DetailType, attempt })
          return
        }
        failure = `HTTP ${response.status}`
      } catch (error) {
        const cause = (error as Error).cause
        failure = cause instanceof Error ? cause.message : (error as Error).message
      }
      if (attempt === maxAttempts) {
        // EventBridge would move it to the rule's dead-letter queue: here the log keeps it.
        logger.error('event not forwarded', {
          detailType: entry.DetailType,
          attempts: attempt,
          reason: failure,
          detail: entry.Detail,
        })
        return
      }
      logger.warn('event forward retried', {
        detailType: entry.DetailType,
        attempt,
        reason: failure,
      })
      await delay(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)))
    }
  }

  return {
    async publish(entries) {
      for (const entry of entries) {
        if (entry.DetailType === ANNOUNCEMENT_TYPE) {
          logger.info('results announced', { detail: entry.Detail })
          continue
        }
        const delivery = deliver(entry).finally(() => inFlight.delete(delivery))
        inFlight.add(delivery)
      }
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all(inFlight)
    },
  }
}
