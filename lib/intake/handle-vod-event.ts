import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { type FallbackMessage, fallbackItems } from '../durability/fallback-message'
import type { FallbackQueue } from '../durability/fallback-queue'
import { keepUnstoredResults, UnstoredResultsError } from '../durability/keep-unstored'
import {
  type CallbackFormat,
  InvalidCallbackError,
  type ParsedCallback,
  parseCallback,
} from '../events/parse-callback'
import { announcementOf } from '../forward/announcement'
import type { Forwarder } from '../forward/forwarder'
import type { PublishOutcome } from '../forward/publish-durably'
import { type Deadline, deadlineOf } from '../runtime/deadline'
import { errorMessage, type Logger, type MetricName, type MetricsSink } from '../runtime/log'
import { RECONCILE_ORIGIN, type SnapshotItem, snapshotItemsOf } from '../store/snapshot-item'
import {
  SnapshotStoreError,
  type StoreOptions,
  writeMissingItems,
  writeSnapshotItems,
} from '../store/snapshot-store'

/**
 * One VOD event, whatever brought it: a callback's body, a pulled event's content, a replayed
 * body, a task VOD's task API described; or results that were received and validated before and
 * kept for a later write (the fallback queue, the log).
 */
export type VodEventInput =
  | {
      kind: 'event'
      /** The event as parsed JSON. */
      body: unknown
      /** The text VOD sent, for passing it on unchanged (computed only when needed). */
      text: () => string
      /** When it was first received: the items' `receivedAt`. */
      receivedAt: string
      /** Names what is kept of it (an oversized body, a quarantined one). */
      id: string
    }
  | { kind: 'results'; message: FallbackMessage }

/** Where an event that stores nothing went: the bus (or the forwarder's fallbacks), or nowhere. */
type PassedOn = PublishOutcome | 'nowhere' | 'failed'

/** What became of one VOD event: every source turns this into its own answer. */
export type VodEventOutcome =
  | {
      kind: 'stored'
      taskId: string
      eventType: string
      /** The callback format; absent for results kept from an earlier delivery. */
      format?: CallbackFormat
      /** Items written: one per key, duplicates collapsed. */
      results: number
      stored: number
      /** Where the announcement went (with forwarding). */
      announced?: PublishOutcome
      /** With forwardAll: where the event itself went. */
      forwarded?: PassedOn
    }
  /** Part of the results went to the fallback queue: the redrive writes them. */
  | { kind: 'queued'; taskId: string; eventType: string; stored: number; queued: number }
  /** Neither the table nor the queue took them: they are in the error log only. */
  | { kind: 'logged'; taskId: string; eventType: string; error: UnstoredResultsError }
  /** Not all stored, and this source keeps no fallback: the source must keep the event. */
  | {
      kind: 'unstored'
      taskId: string
      eventType: string
      /** The event's results, one per key. */
      results: number
      /** Written before the store gave up (counted in the stored metric). */
      stored: number
      /** Neither written nor found in the table; the rest of `results` were there already. */
      unstored: number
      /** What DynamoDB answered (a missing table, throttling ...), and in words. */
      cause: unknown
      reason: string
    }
  | { kind: 'ignored'; eventType: string; format: CallbackFormat; passedOn: PassedOn }
  | { kind: 'invalid'; problems: string[] }

/** How the events of one source are passed on. */
export interface RoadForwarding {
  forwarder: Forwarder
  /** Put the events whose results are stored on the bus too (the forwardAll deploy param). */
  forwardAll: boolean
  /**
   * True where the forwarder's fallback queue and log count as passed on (the functions, whose
   * sender does not deliver again); false where only the bus counts and the source keeps an
   * event that is not on it (the pull leaves it in VOD's queue, a replay keeps its entry).
   */
  durable: boolean
}

/** What the one road needs; each source gives its own. */
export interface RoadDependencies {
  tableName: string
  client: DynamoDBClient
  storeOptions?: Omit<StoreOptions, 'deadline'>
  logger: Logger
  metrics: MetricsSink
  forwarding?: RoadForwarding
  /**
   * Where results DynamoDB did not take are kept, for a source whose sender will not deliver
   * them again (the HTTP function): the fallback queue, else the error log. Without it the
   * outcome is `unstored`.
   */
  keepUnstored?: { fallback?: FallbackQueue; queueTimeMs: (results: number) => number }
  /**
   * Write only the results the table lacks, marked as recovered, and announce only those
   * (reconcile: what a callback stored stays as it is). `stored` then counts what was written.
   */
  onlyMissing?: boolean
  /** With onlyMissing: find what is missing, write nothing (`stored` counts what would be). */
  dryRun?: boolean
  /** Today's parser; a test may pass a variant to stand for a fixed schema. */
  parse?: (body: unknown) => ParsedCallback
}

/** The time one event has. */
export interface RoadTiming {
  /** When the writes to the table stop; none: they stop after their attempts (reconcile). */
  storeDeadline?: Deadline
  /** What is left for publishing (forwarding and announcing), in ms. */
  publishMs: () => number
}

/**
 * The one road every VOD event takes: recognise, validate, normalise, store (under the integrity
 * rules of {@link writeSnapshotItems}), announce, and pass on what is not stored. The HTTP
 * function, the pull, the redrive and both replays call it and turn its outcome into their own
 * answer; none of them handles an event otherwise, and a new source (reconcile) is an adapter.
 *
 * Never throws for what an event is: an invalid one is an `invalid` outcome, a storage failure
 * `queued`, `logged` or `unstored`.
 */
export async function handleVodEvent(
  input: VodEventInput,
  deps: RoadDependencies,
  timing: RoadTiming,
): Promise<VodEventOutcome> {
  const { logger, metrics } = deps
  let found: Normalised
  if (input.kind === 'results') {
    found = normalisedMessage(input.message)
  } else {
    let callback: ParsedCallback
    try {
      callback = (deps.parse ?? parseCallback)(input.body)
    } catch (error) {
      if (!(error instanceof InvalidCallbackError)) throw error
      return { kind: 'invalid', problems: error.problems }
    }
    if (callback.kind === 'ignored') {
      const passedOn = await passOn(callback.eventType, input, deps, timing.publishMs())
      metrics.addMetric('CallbacksIgnored', 'Count', 1)
      return { kind: 'ignored', eventType: callback.eventType, format: callback.format, passedOn }
    }
    if (callback.unkeyedFailures > 0) {
      // A failed "10%" point has no offset to key an item by: this line and the metric are its record.
      const { vodTaskId, unkeyedFailures } = callback
      logger.warn('failed screenshots without an offset', { vodTaskId, unkeyedFailures })
      metrics.addMetric('FailuresWithoutOffset', 'Count', unkeyedFailures)
    }
    found = {
      format: callback.format,
      taskId: callback.vodTaskId,
      eventType: callback.eventType,
      items: snapshotItemsOf(callback.results, input.receivedAt),
      receivedAt: input.receivedAt,
    }
  }

  const { format, taskId, eventType, items, receivedAt } = found
  const storeOptions = { ...deps.storeOptions, deadline: timing.storeDeadline }
  let stored: number
  // What is announced: every item written.
  let written = items
  try {
    if (deps.onlyMissing) {
      const dryRun = deps.dryRun === true
      written = (
        await writeMissingItems(deps.client, deps.tableName, items, storeOptions, { dryRun })
      ).created
      stored = written.length
    } else {
      stored = await writeSnapshotItems(deps.client, deps.tableName, items, storeOptions)
    }
  } catch (error) {
    return keepWhatWasNotStored(found, error, input, deps)
  }
  metrics.addMetric(storedMetric(input, deps), 'Count', stored)
  const forwarding = deps.forwarding
  // Built only where it is published: it reads every item (none written, none announced).
  const detail =
    forwarding &&
    announcementOf(written, {
      taskId,
      eventType,
      receivedAt,
      stored,
      ...(deps.onlyMissing ? { origin: RECONCILE_ORIGIN } : {}),
    })
  // Without forwarding nothing is published: no promise to wait for.
  const [announced, forwarded] = forwarding
    ? await Promise.all([
        detail ? forwarding.forwarder.announce(detail, timing.publishMs()) : undefined,
        forwarding.forwardAll && input.kind === 'event'
          ? passOn(eventType, input, deps, timing.publishMs())
          : undefined,
      ])
    : []
  return {
    kind: 'stored',
    taskId,
    eventType,
    ...(format ? { format } : {}),
    results: items.length,
    stored,
    ...(announced ? { announced } : {}),
    ...(forwarded ? { forwarded } : {}),
  }
}

/** An event's items, as the store writes them. */
interface Normalised {
  format?: CallbackFormat
  taskId: string
  eventType: string
  items: SnapshotItem[]
  receivedAt: string
}

function normalisedMessage(message: FallbackMessage): Normalised {
  return {
    taskId: message.procedureTaskId ?? message.vodTaskId,
    eventType: message.eventType,
    items: fallbackItems(message),
    receivedAt: message.receivedAt,
  }
}

/**
 * The metric that counts what a source wrote: recovered by reconcile; results kept from an
 * earlier delivery were counted as queued or logged then, so they are now redriven.
 */
function storedMetric(input: VodEventInput, deps: RoadDependencies): MetricName {
  if (deps.onlyMissing) return 'ResultsRecovered'
  return input.kind === 'event' ? 'ResultsStored' : 'ResultsRedriven'
}

/** Results not all written: kept by the source's fallback, else handed back to the source. */
async function keepWhatWasNotStored(
  { taskId, eventType, items }: Normalised,
  error: unknown,
  input: VodEventInput,
  deps: RoadDependencies,
): Promise<VodEventOutcome> {
  if (!(error instanceof SnapshotStoreError)) throw error
  const { logger, metrics, keepUnstored, forwarding } = deps
  // What was written, under its source's metric, and the storage outage's own, once per event.
  metrics.addMetric(storedMetric(input, deps), 'Count', error.stored)
  metrics.addMetric('StoreFailures', 'Count', 1)
  if (!keepUnstored) {
    const cause = error.cause ?? error
    const reason = errorMessage(cause)
    logger.error('results not stored', { vodTaskId: taskId, unstored: error.unstored, reason })
    return {
      kind: 'unstored',
      taskId,
      eventType,
      results: items.length,
      stored: error.stored,
      unstored: error.unstored,
      cause,
      reason,
    }
  }
  const queueTimeMs = keepUnstored.queueTimeMs(error.unstored)
  // With forwardAll the event itself goes on the bus, whatever became of its results.
  const forwarded =
    forwarding?.forwardAll && input.kind === 'event'
      ? passOn(eventType, input, deps, queueTimeMs)
      : undefined
  try {
    const body = input.kind === 'event' ? input.text() : input.message
    const receivedAt = input.kind === 'event' ? input.receivedAt : input.message.receivedAt
    const kept = await keepUnstoredResults(
      { vodTaskId: taskId, receivedAt, body, error },
      { fallback: keepUnstored.fallback, logger, metrics, queueTimeMs },
    )
    return { kind: 'queued', taskId, eventType, ...kept }
  } catch (logged) {
    if (!(logged instanceof UnstoredResultsError)) throw logged
    return { kind: 'logged', taskId, eventType, error: logged }
  } finally {
    await forwarded
  }
}

/** Puts an event on the bus unchanged, the source's way (see {@link RoadForwarding.durable}). */
async function passOn(
  eventType: string,
  input: Extract<VodEventInput, { kind: 'event' }>,
  { forwarding, logger }: RoadDependencies,
  timeMs: number,
): Promise<PassedOn> {
  if (!forwarding) return 'nowhere'
  const event = { eventType, body: input.text(), id: input.id }
  if (forwarding.durable) return forwarding.forwarder.forward(event, timeMs)
  try {
    return await forwarding.forwarder.publish(event, timeMs)
  } catch (error) {
    logger.error('vod event not forwarded', { eventType, reason: errorMessage(error) })
    return 'failed'
  }
}

/**
 * The timing of an operator's replay: no sender waits, so a write has a minute and a publish
 * ten seconds.
 */
export function replayTiming(): RoadTiming {
  return { storeDeadline: deadlineOf(AbortSignal.timeout(60_000)), publishMs: () => 10_000 }
}
