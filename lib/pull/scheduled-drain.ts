import type { Context, ScheduledEvent } from 'aws-lambda'
import { functionLogger, functionMetrics, type Logger, type MetricsSink } from '../runtime/log'
import { type DrainOptions, type DrainReport, drainVodQueue, type SnapshotTarget } from './drain'
import type { VodEventQueue } from './vod-client'

/** The drain ends this long before Lambda would stop it, to log its report. */
export const DEADLINE_MARGIN_MS = 3000

/** Thrown after the report is logged when a drain left events for VOD to deliver again. */
export class VodPullError extends Error {
  override name = 'VodPullError'
}

export interface PullDependencies {
  /** The VOD client, built once per container when the credentials are first read. */
  vod: () => Promise<VodEventQueue>
  store: SnapshotTarget
  subAppId?: number
  logger?: Logger
  metrics?: MetricsSink
  now?: () => number
  budget?: DrainOptions['budget']
  forwarding?: DrainOptions['forwarding']
  quarantine?: DrainOptions['quarantine']
}

/**
 * The scheduled function: drains VOD's event queue into the table within the invocation's time.
 * A drain that ended on an SDK error or on failed stores, or that left events it had nowhere to
 * pass on, throws once its report is logged, so
 * the function's Errors metric (and an alarm on it) shows events waiting in VOD's queue, which
 * keeps them only about 4 days. Nothing is lost meanwhile: unconfirmed events come back.
 */
export function createPullHandler({
  vod,
  store,
  subAppId,
  logger = functionLogger,
  metrics = functionMetrics,
  now = Date.now,
  budget,
  forwarding,
  quarantine,
}: PullDependencies) {
  return async (_event: ScheduledEvent, context: Context): Promise<DrainReport> => {
    const deadline = now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS
    const report = await drainVodQueue({
      vod: await vod(),
      store,
      logger,
      metrics,
      deadline,
      now,
      subAppId,
      budget,
      forwarding,
      quarantine,
    })
    logger.info('vod drain finished', { ...report })
    if (report.stop === 'vod-error' || report.stop === 'store-failing') {
      throw new VodPullError(`drain stopped (${report.stop}), ${report.unconfirmed} unconfirmed`)
    }
    // Events with nowhere to go come back every minute and leave VOD's queue after 4 days.
    if (report.unpassed + report.unkept > 0) {
      throw new VodPullError(
        `${report.unpassed} event(s) with no bus and ${report.unkept} invalid event(s) not kept: left in VOD's queue`,
      )
    }
    return report
  }
}
