import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import { errorMessage } from '../runtime/log'
import type { BodyStore } from './claim-check'
import { EventPublishError } from './event-publisher'
import {
  logUnpublished,
  type PublishDependencies,
  type PublishOutcome,
  publishDurably,
} from './publish-durably'
import {
  ANNOUNCEMENT_TYPE,
  EVENT_SOURCE,
  entryBytes,
  MAX_ENTRY_BYTES,
  vodEventEntry,
} from './vod-event-entry'

/** What a VOD event too large for EventBridge is replaced by on the bus. */
interface OversizedEventReference {
  vodSnapshotsOversizedEvent: { bucket: string; key: string; bytes: number }
}

/** Puts VOD events and announcements on the stage's bus, durably. */
export interface Forwarder {
  /**
   * Puts one VOD event on the bus, its body exactly as VOD sent it. A body over EventBridge's
   * 256 KB is kept in S3 and the bus carries a reference to it ({@link OversizedEventReference}).
   */
  forward(
    event: { eventType?: string; body: string; id: string },
    timeMs: number,
  ): Promise<PublishOutcome>
  /**
   * Puts one VOD event on the bus as {@link forward} does, but without its fallbacks: for a
   * caller that keeps the event itself when it is not on the bus (the pull leaves it in VOD's
   * queue). An event EventBridge refuses for what it is goes to the log: no later try can help.
   * @throws when the event is not on the bus and not logged
   */
  publish(
    event: { eventType?: string; body: string; id: string },
    timeMs: number,
  ): Promise<PublishOutcome>
  /** Puts one `SnapshotResultsStored` event on the bus. */
  announce(detail: object, timeMs: number): Promise<PublishOutcome>
  /**
   * The entry {@link forward} puts on the bus, a body over 256 KB already kept in S3; for a
   * caller that publishes it itself (the pull confirms an event only once it is published).
   * @throws when a body over 256 KB could not be kept
   */
  prepare(
    event: { eventType?: string; body: string; id: string },
    timeMs: number,
  ): Promise<PutEventsRequestEntry>
}

export interface ForwarderDependencies extends PublishDependencies {
  busName: string
  /** Where bodies over 256 KB go; without one they are logged for replay. */
  bodyStore?: BodyStore
}

/** The forwarder of one function: its bus, its publisher and where it keeps what fails. */
export function createForwarder({
  busName,
  bodyStore,
  ...publishing
}: ForwarderDependencies): Forwarder {
  const publish = (entry: PutEventsRequestEntry, timeMs: number) =>
    publishDurably([entry], publishing, timeMs)
  const prepare: Forwarder['prepare'] = async ({ eventType, body, id }, timeMs) => {
    const entry = vodEventEntry(eventType, body, busName)
    if (entryBytes(entry) <= MAX_ENTRY_BYTES) return entry
    if (!bodyStore) throw new Error('the event is over 256 KB and no bucket is configured')
    const signal = AbortSignal.timeout(Math.max(1, Math.floor(timeMs)))
    const kept = await bodyStore.keep(id, body, signal)
    const reference: OversizedEventReference = {
      vodSnapshotsOversizedEvent: { ...kept, bytes: Buffer.byteLength(body) },
    }
    publishing.metrics.addMetric('EventsOversized', 'Count', 1)
    return { ...entry, Detail: JSON.stringify(reference) }
  }
  return {
    prepare,
    async publish(event, timeMs) {
      const started = performance.now()
      const entry = await prepare(event, timeMs / 3)
      const left = Math.max(1, Math.floor(timeMs - (performance.now() - started)))
      try {
        await publishing.publisher.publish([entry], AbortSignal.timeout(left))
      } catch (error) {
        if (error instanceof EventPublishError && error.unpublished.length === 0) {
          return logUnpublished(error.refused, publishing)
        }
        throw error
      }
      publishing.metrics.addMetric('EventsPublished', 'Count', 1)
      return 'published'
    },
    async forward(event, timeMs) {
      const started = performance.now()
      let entry: PutEventsRequestEntry
      try {
        entry = await prepare(event, timeMs / 3)
      } catch (error) {
        publishing.logger.error('oversized event not kept', { reason: errorMessage(error) })
        return logUnpublished([vodEventEntry(event.eventType, event.body, busName)], publishing)
      }
      return publish(entry, timeMs - (performance.now() - started))
    },
    announce(detail, timeMs) {
      const entry = {
        Source: EVENT_SOURCE,
        DetailType: ANNOUNCEMENT_TYPE,
        Detail: JSON.stringify(detail),
        EventBusName: busName,
      }
      return publish(entry, timeMs)
    },
  }
}
