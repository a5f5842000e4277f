import { stringifyOrUndefined } from '../runtime/json'
import { errorMessage, type Logger, type MetricsSink } from '../runtime/log'
import type { SnapshotItem } from '../store/snapshot-item'
import { SnapshotStoreError } from '../store/snapshot-store'
import { toFallbackMessages, UNSTORED_CALLBACK_MARKER } from './fallback-message'
import type { FallbackQueue } from './fallback-queue'

// A body up to this size is logged whole under the marker; a larger one as its unstored results,
// so that no line passes CloudWatch Logs' 256 KB event limit.
const MAX_LOGGED_BODY_BYTES = 200_000

/** The name of the error {@link keepUnstoredResults} throws: a storage outage, not a bug. */
export const UNSTORED_RESULTS_ERROR = 'UnstoredResultsError'

/** Results neither DynamoDB nor the fallback queue took: they are only in the log. */
export class UnstoredResultsError extends Error {
  override name = UNSTORED_RESULTS_ERROR
}

/** What is known of a callback whose results were not all stored. */
export interface UnstoredCallback {
  vodTaskId: string
  receivedAt: string
  /** The body, logged whole when the queue fails too: the text VOD sent, or what was parsed. */
  body: unknown
  /** What the store threw: a SnapshotStoreError carries the unwritten items. */
  error: unknown
}

/**
 * Keeps what DynamoDB did not take: in the fallback queue while `queueTimeMs` allows (then the
 * caller answers 202), else in the error log under {@link UNSTORED_CALLBACK_MARKER}, for replay.
 *
 * @returns how many results were queued (the caller counts what was stored, and the failure)
 *
 * @throws {UnstoredResultsError} when they could only be logged: VOD does not retry a 5xx, so that log is what is
 * left of them and the answer must say something went wrong
 */
export async function keepUnstoredResults(
  { vodTaskId, receivedAt, body, error }: UnstoredCallback,
  {
    fallback,
    logger,
    metrics,
    queueTimeMs,
  }: {
    fallback?: FallbackQueue
    logger: Logger
    metrics: MetricsSink
    queueTimeMs: number
  },
): Promise<{ stored: number; queued: number }> {
  const unstored: SnapshotItem[] = error instanceof SnapshotStoreError ? error.unstoredItems : []
  const stored = error instanceof SnapshotStoreError ? error.stored : 0
  const cause = (error instanceof SnapshotStoreError && error.cause) || error
  if (fallback && unstored.length > 0 && queueTimeMs > 0) {
    try {
      await fallback.send(unstored, AbortSignal.timeout(Math.floor(queueTimeMs)))
      const queued = unstored.length
      logger.warn('results queued', { vodTaskId, stored, queued, reason: errorMessage(cause) })
      metrics.addMetric('ResultsQueued', 'Count', queued)
      return { stored, queued }
    } catch (queueError) {
      logger.error('fallback queue failed', { vodTaskId, reason: errorMessage(queueError) })
    }
  }
  // The text VOD sent when the caller has it; a body nested deeper than the stack allows cannot
  // be written again, and its results are then logged one by one below.
  const text = typeof body === 'string' ? body : stringifyOrUndefined(body)
  const reason = errorMessage(cause)
  // Measured as it will stand in the log line: a string field escapes quotes and backslashes.
  if (
    text !== undefined &&
    (unstored.length === 0 || Buffer.byteLength(JSON.stringify(text)) <= MAX_LOGGED_BODY_BYTES)
  ) {
    logger.error(UNSTORED_CALLBACK_MARKER, { vodTaskId, receivedAt, reason, body: text })
  } else {
    for (const fallbackMessage of toFallbackMessages(unstored)) {
      logger.error(UNSTORED_CALLBACK_MARKER, { vodTaskId, reason, fallback: fallbackMessage })
    }
  }
  metrics.addMetric('ResultsLogged', 'Count', unstored.length)
  throw new UnstoredResultsError(
    `${unstored.length} result(s) of ${vodTaskId} kept only in the log`,
    {
      cause,
    },
  )
}
