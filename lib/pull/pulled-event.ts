import type { EventContent } from 'tencentcloud-sdk-nodejs-vod/tencentcloud/services/vod/v20180717/vod_models'
import { UNSTORED_CALLBACK_MARKER } from '../durability/fallback-message'
import { InvalidCallbackError, parseCallback } from '../events/parse-callback'
import type { SnapshotResult } from '../events/snapshot-result'
import { errorMessage, type Logger } from '../runtime/log'
import { SnapshotStoreError } from '../store/snapshot-store'

/** What became of one pulled event; only `failed` must stay unconfirmed. */
export type VodEventOutcome =
  | { kind: 'stored'; handle?: string; stored: number }
  | { kind: 'ignored' | 'invalid' | 'failed'; handle?: string }

/** Writes one event's results, the HTTP function's way; rejects unless every one is written. */
export type StoreResults = (results: SnapshotResult[]) => Promise<number>

// CloudWatch keeps a log event up to 256 KB; a larger event is cut rather than split.
const MAX_LOGGED_BODY_CHARS = 200_000

/**
 * Recognises one pulled event as an HTTP callback body is recognised (its EventContent is the
 * v3.0 body plus an EventHandle) and stores its results.
 *
 * A snapshot event that fails validation will fail it on every redelivery, for the 4 days VOD
 * keeps it: it is logged at error level under {@link UNSTORED_CALLBACK_MARKER}, with its problems
 * and the whole body, as the HTTP function keeps what it cannot store, and reported `invalid`,
 * to be confirmed. `npm run replay` can store it from that line once the cause is fixed.
 */
export async function handleVodEvent(
  event: EventContent,
  store: StoreResults,
  logger: Logger,
  receivedAt: string,
): Promise<VodEventOutcome> {
  const { EventHandle: handle, ...body } = event
  if (!handle) logger.warn('vod event without a handle', { eventType: event.EventType })
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
    const text = JSON.stringify(body)
    logger.error(UNSTORED_CALLBACK_MARKER, {
      eventType: event.EventType,
      receivedAt,
      reason: 'invalid event',
      problems: error.problems,
      body: text.length > MAX_LOGGED_BODY_CHARS ? text.slice(0, MAX_LOGGED_BODY_CHARS) : text,
      ...(text.length > MAX_LOGGED_BODY_CHARS ? { truncated: true } : {}),
    })
    return { kind: 'invalid', handle }
  }

  if (callback.kind === 'ignored') {
    logger.info('vod event ignored', { eventType: callback.eventType })
    return { kind: 'ignored', handle }
  }
  const { vodTaskId, results, unkeyedFailures } = callback
  if (unkeyedFailures > 0) {
    logger.warn('failed screenshots without an offset', { vodTaskId, unkeyedFailures })
  }
  try {
    const stored = await store(results)
    logger.info('vod event stored', { vodTaskId, results: results.length, stored })
    return { kind: 'stored', handle, stored }
  } catch (error) {
    // VOD keeps the event and delivers it again once its handle is not confirmed.
    const cause = (error instanceof SnapshotStoreError && error.cause) || error
    const unstored = error instanceof SnapshotStoreError ? error.unstored : results.length
    logger.error('vod event not stored', { vodTaskId, unstored, reason: errorMessage(cause) })
    return { kind: 'failed', handle }
  }
}
