import type { SnapshotResult } from '../events/snapshot-result'
import { announcementOf } from './announcement'
import type { Forwarder } from './forwarder'
import type { PublishOutcome } from './publish-durably'

/** How one function forwards: its forwarder, and whether snapshot events are forwarded too. */
export interface Forwarding {
  forwarder: Forwarder
  /** Forward the events whose results are stored as well (the forwardAll deploy param). */
  forwardAll: boolean
}

/** A callback as it arrived: the text VOD sent, and an ID for what is kept of it. */
export interface CallbackOrigin {
  text: string
  id: string
}

/** Puts an event that stores nothing on the bus, unchanged. */
export function forwardIgnored(
  forwarding: Forwarding,
  eventType: string,
  origin: CallbackOrigin,
  timeMs: number,
): Promise<PublishOutcome> {
  return forwarding.forwarder.forward({ eventType, body: origin.text, id: origin.id }, timeMs)
}

/**
 * Once a callback's results are stored: announces them (`SnapshotResultsStored`) and, with
 * `forwardAll`, forwards the event itself, both within `timeMs`.
 * @returns where the announcement went; undefined when there was nothing to announce
 */
export async function announceStored(
  forwarding: Forwarding,
  stored: {
    results: readonly SnapshotResult[]
    taskId: string
    eventType: string
    receivedAt: string
    count: number
  },
  origin: CallbackOrigin | undefined,
  timeMs: number,
): Promise<PublishOutcome | undefined> {
  const { results, taskId, eventType, receivedAt, count } = stored
  const detail = announcementOf(results, { taskId, eventType, receivedAt, stored: count })
  const [announced] = await Promise.all([
    detail ? forwarding.forwarder.announce(detail, timeMs) : undefined,
    forwarding.forwardAll && origin
      ? forwardIgnored(forwarding, eventType, origin, timeMs)
      : undefined,
  ])
  return announced
}
