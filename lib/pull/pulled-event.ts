import type { EventContent } from 'tencentcloud-sdk-nodejs-vod/tencentcloud/services/vod/v20180717/vod_models'
import { keepInvalidEvent } from '../durability/keep-rejected'
import { type Quarantine, quarantineId } from '../durability/quarantine'
import {
  handleVodEvent,
  type RoadDependencies,
  type RoadForwarding,
  type RoadTiming,
} from '../intake/handle-vod-event'
import { stringifyOrUndefined } from '../runtime/json'
import { errorMessage } from '../runtime/log'

/**
 * What became of one pulled event, in the pull's terms: only an event that was passed on
 * (stored, on the bus, or kept in the quarantine) is confirmed; any other stays in VOD's queue
 * and comes again.
 */
export type PulledEventOutcome =
  | { kind: 'stored'; handle?: string; stored: number }
  | { kind: 'ignored' | 'invalid'; handle?: string }
  /** Not passed on: its results not all stored, or a bus that did not take it. */
  | { kind: 'failed'; handle?: string }
  /** Another event type, and nowhere to pass it on: no bus. */
  | { kind: 'unpassed'; handle?: string }
  /** An invalid event the quarantine did not keep (none configured, or it failed). */
  | { kind: 'unkept'; handle?: string }

/** What handling one pulled event needs besides the one road's dependencies. */
export interface PulledEventHandling extends Omit<RoadDependencies, 'forwarding' | 'keepUnstored'> {
  receivedAt: string
  /** Also the time for keeping an invalid event (`publishMs`). */
  timing: RoadTiming
  forwarding?: Omit<RoadForwarding, 'durable'>
  quarantine?: Quarantine
}

/** Whether an outcome lets the event leave VOD's queue. */
export const isConfirmed = (outcome: PulledEventOutcome): boolean =>
  outcome.kind === 'stored' || outcome.kind === 'ignored' || outcome.kind === 'invalid'

/**
 * Takes one pulled event down the one road (its EventContent is the v3.0 body plus an
 * EventHandle). A snapshot event that fails validation would fail it on every redelivery for the
 * 4 days VOD keeps it: it is kept whole in the quarantine, as the HTTP function keeps a rejected
 * callback, and confirmed only once it is kept there.
 */
export async function handlePulledEvent(
  event: EventContent,
  { receivedAt, timing, forwarding, quarantine, ...road }: PulledEventHandling,
): Promise<PulledEventOutcome> {
  const { EventHandle: handle, ...body } = event
  const { logger, metrics } = road
  if (!handle) logger.warn('vod event without a handle', { eventType: event.EventType })
  // The SDK parsed the event: this is its JSON again, as VOD's HTTP body would carry it.
  let written: string | undefined
  const text = () => {
    written ??= stringifyOrUndefined(body) ?? '(not serialisable: nested too deeply)'
    return written
  }
  const requestId = handle ?? 'pulled'
  const id = quarantineId(receivedAt, requestId)
  let outcome: Awaited<ReturnType<typeof handleVodEvent>>
  try {
    outcome = await handleVodEvent(
      { kind: 'event', body, text, receivedAt, id },
      { ...road, forwarding: forwarding && { ...forwarding, durable: false } },
      timing,
    )
  } catch (error) {
    // Not a verdict on the event (a bug of ours): keep it in VOD's queue.
    logger.error('vod event not handled', {
      eventType: event.EventType,
      reason: errorMessage(error),
    })
    return { kind: 'failed', handle }
  }
  switch (outcome.kind) {
    case 'stored': {
      logger.info('vod event stored', { vodTaskId: outcome.taskId, stored: outcome.stored })
      // With forwardAll it is confirmed only once the event itself is on the bus too.
      if (outcome.forwarded === 'failed') return { kind: 'failed', handle }
      return { kind: 'stored', handle, stored: outcome.stored }
    }
    case 'ignored': {
      const { eventType, passedOn } = outcome
      if (passedOn === 'nowhere') {
        logger.warn('vod event left in the queue: no bus to pass it on to', { eventType })
        return { kind: 'unpassed', handle }
      }
      if (passedOn === 'failed') return { kind: 'failed', handle }
      logger.info('vod event ignored', { eventType, forwarded: passedOn })
      return { kind: 'ignored', handle }
    }
    case 'invalid': {
      const kept = await keepInvalidEvent(
        {
          problems: outcome.problems,
          receivedAt,
          requestId,
          text: text(),
          eventType: event.EventType,
        },
        { quarantine, logger, metrics, timeoutMs: timing.publishMs() },
      )
      if (kept === 'quarantine') return { kind: 'invalid', handle }
      // A quarantine that failed is not a missing one: the report must not ask for a bucket.
      return quarantine ? { kind: 'failed', handle } : { kind: 'unkept', handle }
    }
    default:
      // VOD keeps the event and delivers it again once its handle is not confirmed.
      return { kind: 'failed', handle }
  }
}
