import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import { knownVodEventType } from '../events/vod-event-types'

/** The `source` of every event vod-snapshots puts on its bus. */
export const EVENT_SOURCE = 'vod-snapshots'

/** The detail-type of the event that says a callback's results are stored. */
export const ANNOUNCEMENT_TYPE = 'SnapshotResultsStored'

/** The detail-type of a VOD event whose own type is not one VOD documents. */
export const UNNAMED_EVENT_TYPE = 'VodEvent'

/** EventBridge refuses an entry over 256 KB (its source, detail-type and detail, in UTF-8). */
export const MAX_ENTRY_BYTES = 256 * 1024

/**
 * The detail-type a VOD event is published under: its own type when VOD documents it. Any other
 * word (a body may name anything, a secret included) is never a detail-type.
 */
function detailTypeOf(eventType: string | undefined): string {
  return knownVodEventType(eventType) ?? UNNAMED_EVENT_TYPE
}

/** An entry's size as EventBridge counts it. */
export function entryBytes(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text))
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((n, resource) => n + bytes(resource), 0)
  )
}

/**
 * The entry that puts one VOD event on the bus: detail-type its event type, detail the body
 * exactly as VOD sent it (the text, not a re-serialisation: a 20-digit number must not lose
 * digits on the way).
 */
export function vodEventEntry(
  eventType: string | undefined,
  body: string,
  busName: string,
): PutEventsRequestEntry {
  return {
    Source: EVENT_SOURCE,
    DetailType: detailTypeOf(eventType),
    Detail: body,
    EventBusName: busName,
  }
}
