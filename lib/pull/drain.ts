import { setMaxListeners } from 'node:events'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { EventContent } from 'tencentcloud-sdk-nodejs-vod/tencentcloud/services/vod/v20180717/vod_models'
import type { Quarantine } from '../durability/quarantine'
import type { RoadForwarding } from '../intake/handle-vod-event'
import { deadlineOf } from '../runtime/deadline'
import { errorMessage, type Logger, type MetricsSink, noMetrics } from '../runtime/log'
import type { StoreOptions } from '../store/snapshot-store'
import { handlePulledEvent, isConfirmed, type PulledEventOutcome } from './pulled-event'
import { isEmptyQueueError, type VodEventQueue, vodErrorCode } from './vod-client'

/** ConfirmEvents takes at most 16 handles per call (and PullEvents gives at most 16 events). */
const MAX_HANDLES_PER_CONFIRM = 16

/** Where snapshot results go: the same table and store as the HTTP function. */
export interface SnapshotTarget {
  client: DynamoDBClient
  tableName: string
  options?: Omit<StoreOptions, 'signal'>
}

/**
 * How a drain spends its time. A pull answers at once while events wait (it long-polls ~5 s only
 * on an empty queue, which ends the drain), so a batch needs `storeMs` plus two short calls.
 * Overrunning costs no result: VOD delivers what was not confirmed again after 30 s.
 */
const DEFAULT_DRAIN_BUDGET = {
  /** No pull starts with less time than this before the deadline. */
  runwayMs: 20_000,
  /** A batch's results are stored within this, so its handles are confirmed within VOD's 30 s. */
  storeMs: 10_000,
}

export interface DrainOptions {
  vod: VodEventQueue
  store: SnapshotTarget
  logger: Logger
  /** Epoch ms by which the drain must be over. */
  deadline: number
  now?: () => number
  /** The VOD application ID; accounts opened since 2023-12-25 must pass it. */
  subAppId?: number
  budget?: Partial<typeof DEFAULT_DRAIN_BUDGET>
  /** Events that store nothing are put on the bus, and confirmed only once they are. */
  forwarding?: Omit<RoadForwarding, 'durable'>
  /** Where invalid snapshot events are kept whole; else the log, in pieces. */
  quarantine?: Quarantine
  metrics?: MetricsSink
  /** Called with the report so far after each batch is confirmed (a command's progress line). */
  onBatch?: (report: Readonly<DrainReport>) => void
}

/** Why a drain ended: only `empty` and `deadline` mean everything pulled was dealt with. */
type DrainStop = 'empty' | 'deadline' | 'vod-error' | 'store-failing'

/** What one drain did, in events unless the name says results. */
export interface DrainReport {
  /** PullEvents calls, the last (empty or failed) one included. */
  pulls: number
  pulled: number
  storedEvents: number
  storedResults: number
  /** Other event types: nothing stored, put on the bus when forwarding is set. */
  ignored: number
  /** Snapshot events that can never be stored: kept whole in the quarantine, confirmed. */
  invalid: number
  confirmed: number
  /** Left for VOD to deliver again: not passed on, or their confirmation failed. */
  unconfirmed: number
  /** Of those, other event types with no bus to pass them on to. */
  unpassed: number
  /** Of those, invalid snapshot events that no quarantine kept. */
  unkept: number
  stop: DrainStop
}

/** `items` in consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

/**
 * Pulls VOD's event queue until it is empty, an SDK call fails, storing fails for a whole batch,
 * or the deadline nears. Each event takes the one road, as an HTTP callback does
 * ({@link handlePulledEvent}); after each pull its batch is confirmed (≤ 16 handles a call):
 * stored snapshot events, other event types once on the bus, and invalid snapshot events once
 * kept in the quarantine. Any other event is never confirmed, so VOD delivers it again; storing
 * is idempotent, so redeliveries change nothing.
 *
 * Never throws: SDK errors and timeouts are logged and end the drain early.
 */
export async function drainVodQueue(options: DrainOptions): Promise<DrainReport> {
  const { vod, store, logger, deadline, now = Date.now, subAppId, forwarding, quarantine } = options
  const metrics = options.metrics ?? noMetrics
  const budget = { ...DEFAULT_DRAIN_BUDGET, ...options.budget }
  const app = subAppId === undefined ? {} : { SubAppId: subAppId }
  const report: DrainReport = emptyReport()

  for (;;) {
    if (deadline - now() < budget.runwayMs) return { ...report, stop: 'deadline' }
    let events: EventContent[]
    report.pulls++
    try {
      events = (await vod.PullEvents({ ...app })).EventSet ?? []
    } catch (error) {
      if (isEmptyQueueError(error)) {
        // Logged with VOD's words: a misconfiguration answered the same way must be visible.
        logger.info('vod queue empty', { code: vodErrorCode(error), answer: errorMessage(error) })
        return { ...report, stop: 'empty' }
      }
      logger.error('vod pull failed', { code: vodErrorCode(error), reason: errorMessage(error) })
      return { ...report, stop: 'vod-error' }
    }
    if (events.length === 0) return { ...report, stop: 'empty' }
    report.pulled += events.length

    const receivedAt = new Date(now()).toISOString()
    const signal = AbortSignal.timeout(Math.max(0, Math.min(budget.storeMs, deadline - now())))
    // Up to 16 events, each with up to 40 write requests in flight, listen on one deadline.
    setMaxListeners(16 * 40 + 10, signal)
    const handling = {
      tableName: store.tableName,
      client: store.client,
      storeOptions: store.options,
      logger,
      metrics,
      receivedAt,
      timing: {
        storeDeadline: deadlineOf(signal),
        // A publish or a kept body gets what the batch has left after storing, within VOD's 30 s.
        publishMs: () => Math.max(1000, Math.min(budget.storeMs, deadline - now())),
      },
      forwarding,
      quarantine,
    }
    const outcomes = await Promise.all(events.map((event) => handlePulledEvent(event, handling)))
    const count = (kind: PulledEventOutcome['kind']) =>
      outcomes.filter((o) => o.kind === kind).length
    report.storedEvents += count('stored')
    report.ignored += count('ignored')
    report.invalid += count('invalid')
    report.unpassed += count('unpassed')
    report.unkept += count('unkept')
    report.storedResults += outcomes.reduce((n, o) => n + (o.kind === 'stored' ? o.stored : 0), 0)
    const handles = outcomes.flatMap((o) => (isConfirmed(o) && o.handle ? [o.handle] : []))
    report.unconfirmed += events.length - handles.length

    const confirmation = await confirmHandles(vod, handles, app, logger)
    report.confirmed += confirmation.confirmed
    report.unconfirmed += confirmation.unconfirmed
    options.onBatch?.(report)
    if (confirmation.unconfirmed > 0) return { ...report, stop: 'vod-error' }
    // No snapshot event of the batch could be stored: pull no more than the table takes now.
    if (count('failed') > 0 && count('stored') === 0) return { ...report, stop: 'store-failing' }
  }
}

/** Confirms handles 16 a call; those of a failed call are left for VOD to deliver again. */
async function confirmHandles(
  vod: VodEventQueue,
  handles: readonly string[],
  app: { SubAppId?: number },
  logger: Logger,
): Promise<{ confirmed: number; unconfirmed: number }> {
  let confirmed = 0
  for (const batch of chunk(handles, MAX_HANDLES_PER_CONFIRM)) {
    try {
      await vod.ConfirmEvents({ EventHandles: batch, ...app })
      confirmed += batch.length
    } catch (error) {
      // What they stand for is handled: redelivered, they are stored again to the same items.
      const code = vodErrorCode(error)
      logger.error('vod confirm failed', {
        code,
        handles: batch.length,
        reason: errorMessage(error),
      })
    }
  }
  return { confirmed, unconfirmed: handles.length - confirmed }
}

function emptyReport(): DrainReport {
  const report = { pulls: 0, pulled: 0, storedEvents: 0, storedResults: 0, ignored: 0 }
  return {
    ...report,
    invalid: 0,
    confirmed: 0,
    unconfirmed: 0,
    unpassed: 0,
    unkept: 0,
    stop: 'empty',
  }
}
