import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import * as v from 'valibot'

/** The most JSON one fallback message carries: under SQS's 256 KB message limit. */
const MAX_MESSAGE_BYTES = 250_000

/**
 * Events EventBridge did not take in time, kept in the fallback queue for the redrive to put on
 * the bus again: the entries exactly as they were to be sent.
 */
const UnpublishedEventsSchema = v.object({
  kind: v.literal('vod-snapshots/unpublished-events'),
  entries: v.array(
    v.object({
      Source: v.string(),
      DetailType: v.string(),
      Detail: v.string(),
      EventBusName: v.optional(v.string()),
    }),
  ),
})

export type UnpublishedEvents = v.InferOutput<typeof UnpublishedEventsSchema>

/** Where events go when EventBridge did not take them: the fallback queue. */
export interface EventFallbackQueue {
  /** @throws when any message could not be sent before the signal aborts */
  sendEvents(entries: readonly PutEventsRequestEntry[], signal?: AbortSignal): Promise<number>
}

/**
 * The entries as fallback messages of at most {@link MAX_MESSAGE_BYTES} each.
 * @throws {Error} for an entry that alone is larger (it cannot be queued; the caller logs it)
 */
export function toUnpublishedMessages(
  entries: readonly PutEventsRequestEntry[],
): UnpublishedEvents[] {
  const messages: UnpublishedEvents[] = []
  let current: UnpublishedEvents | undefined
  let bytes = 0
  for (const { Source = '', DetailType = '', Detail = '', EventBusName } of entries) {
    const entry = { Source, DetailType, Detail, ...(EventBusName ? { EventBusName } : {}) }
    const size = Buffer.byteLength(JSON.stringify(entry)) + 1
    if (size + 60 > MAX_MESSAGE_BYTES)
      throw new Error(`an event of ${size} bytes does not fit a message`)
    if (!current || bytes + size > MAX_MESSAGE_BYTES) {
      current = { kind: 'vod-snapshots/unpublished-events', entries: [] }
      bytes = 60
      messages.push(current)
    }
    current.entries.push(entry)
    bytes += size
  }
  return messages
}

/** Whether a queue message's body is unpublished events (else: unstored results). */
export function parseUnpublishedEvents(body: unknown): UnpublishedEvents | undefined {
  const result = v.safeParse(UnpublishedEventsSchema, body)
  return result.success ? result.output : undefined
}
