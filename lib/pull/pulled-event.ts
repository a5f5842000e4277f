import type { EventContent } from 'tencentcloud-sdk-nodejs-vod/tencentcloud/services/vod/v20180717/vod_models'
import { keepRejectedCallback } from '../durability/keep-rejected'
import { type Quarantine, quarantineId } from '../durability/quarantine'
import { InvalidCallbackError, parseCallback } from '../events/parse-callback'
import type { SnapshotResult } from '../events/snapshot-result'
import { announcementOf } from '../forward/announcement'
import { EventPublishError, type EventPublisher } from '../forward/event-publisher'
import type { Forwarder } from '../forward/forwarder'
import { logUnpublished } from '../forward/publish-durably'
import { stringifyOrUndefined } from '../runtime/json'
import { errorMessage, type Logger, type MetricsSink } from '../runtime/log'
import { SnapshotStoreError } from '../store/snapshot-store'

/** What became of one pulled event; only `failed` must stay unconfirmed. */
export type VodEventOutcome =
  | { kind: 'stored'; handle?: string; stored: number }
  | { kind: 'ignored' | 'invalid' | 'failed'; handle?: string }

/** Writes one event's results, the HTTP function's way; rejects unless every one is written. */
export type StoreResults = (results: SnapshotResult[]) => Promise<number>

/** How the pull forwards: the forwarder (announcements, oversized bodies) and its publisher. */
export interface PullForwarding {
  forwarder: Forwarder
  publisher: EventPublisher
  /** Put the snapshot events on the bus too (the forwardAll deploy param). */
  forwardAll?: boolean
}

/** What handling one pulled event needs. */
export interface PulledEventHandling {
  store: StoreResults
  logger: Logger
  metrics: MetricsSink
  receivedAt: string
  /** Time for a publish or a kept body. */
  timeMs: number
  forwarding?: PullForwarding
  quarantine?: Quarantine
}

/**
 * Recognises one pulled event as an HTTP callback body is recognised (its EventContent is the
 * v3.0 body plus an EventHandle), stores its results and announces them; another event type is
 * put on the bus. Only what is dealt with is confirmed: an event that was not stored, or not
 * published, stays in VOD's queue and comes again.
 *
 * A snapshot event that fails validation will fail it on every redelivery, for the 4 days VOD
 * keeps it: it is kept whole in the quarantine (else the log, in pieces), as the HTTP function
 * keeps a rejected callback, and reported `invalid`, to be confirmed.
 */
export async function handleVodEvent(
  event: EventContent,
  { store, logger, metrics, receivedAt, timeMs, forwarding, quarantine }: PulledEventHandling,
): Promise<VodEventOutcome> {
  const { EventHandle: handle, ...body } = event
  if (!handle) logger.warn('vod event without a handle', { eventType: event.EventType })
  // The SDK parsed the event: this is its JSON again, as VOD's HTTP body would carry it.
  let written: string | undefined
  const text = () => {
    written ??= stringifyOrUndefined(body) ?? '(not serialisable: nested too deeply)'
    return written
  }
  const requestId = handle ?? 'pulled'
  const id = quarantineId(receivedAt, requestId)
  let callback: ReturnType<typeof parseCallback>
  try {
    callback = parseCallback(body)
  } catch (error) {
    // Not a verdict on the event (a bug of ours): keep it in VOD's queue.
    if (!(error instanceof InvalidCallbackError)) {
      logger.error('vod event not parsed', {
        eventType: event.EventType,
        reason: errorMessage(error),
      })
      return { kind: 'failed', handle }
    }
    const rejected = { statusCode: 422, problems: error.problems, receivedAt, requestId }
    await keepRejectedCallback(
      { ...rejected, body: text(), isBase64Encoded: false, eventType: event.EventType },
      { quarantine, logger, metrics, secrets: [], timeoutMs: timeMs },
    )
    return { kind: 'invalid', handle }
  }

  /** Puts the event on the bus; false when it is not there (it stays in VOD's queue). */
  const publish = async (eventType: string): Promise<boolean> => {
    if (!forwarding) return true
    try {
      const entry = await forwarding.forwarder.prepare({ eventType, body: text(), id }, timeMs)
      await forwarding.publisher.publish([entry], AbortSignal.timeout(Math.max(1, timeMs)))
      return true
    } catch (error) {
      // Refused for what it is (e.g. an integer beyond int64): the log keeps it, and VOD's queue
      // would only deliver it again to be refused again.
      if (error instanceof EventPublishError && error.unpublished.length === 0) {
        logUnpublished(error.refused, { logger, metrics })
        return true
      }
      logger.error('vod event not forwarded', { eventType, reason: errorMessage(error) })
      return false
    }
  }

  if (callback.kind === 'ignored') {
    if (!(await publish(callback.eventType))) return { kind: 'failed', handle }
    logger.info('vod event ignored', {
      eventType: callback.eventType,
      forwarded: Boolean(forwarding),
    })
    return { kind: 'ignored', handle }
  }
  const { vodTaskId, eventType, results, unkeyedFailures } = callback
  if (unkeyedFailures > 0) {
    logger.warn('failed screenshots without an offset', { vodTaskId, unkeyedFailures })
  }
  let stored: number
  try {
    stored = await store(results)
  } catch (error) {
    // VOD keeps the event and delivers it again once its handle is not confirmed.
    const cause = (error instanceof SnapshotStoreError && error.cause) || error
    const unstored = error instanceof SnapshotStoreError ? error.unstored : results.length
    logger.error('vod event not stored', { vodTaskId, unstored, reason: errorMessage(cause) })
    return { kind: 'failed', handle }
  }
  logger.info('vod event stored', { vodTaskId, results: results.length, stored })
  const detail = announcementOf(results, { taskId: vodTaskId, eventType, receivedAt, stored })
  if (forwarding && detail) await forwarding.forwarder.announce(detail, timeMs)
  // Stored; with forwardAll it is confirmed only once the event itself is on the bus too.
  if (forwarding?.forwardAll && !(await publish(eventType))) return { kind: 'failed', handle }
  return { kind: 'stored', handle, stored }
}
