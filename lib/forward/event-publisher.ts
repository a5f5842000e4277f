import { setTimeout as delay } from 'node:timers/promises'
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import { entryBytes, MAX_ENTRY_BYTES } from './vod-event-entry'

/** PutEvents takes at most 10 entries, and 256 KB in all, per request. */
const MAX_ENTRIES_PER_REQUEST = 10

/** Where events go: the stage's EventBridge bus, or the local stack's stand-in. */
export interface EventPublisher {
  /**
   * Publishes every entry, or throws {@link EventPublishError} with those it could not.
   * Entries over {@link MAX_ENTRY_BYTES} must be dealt with before (see forward-event.ts).
   */
  publish(entries: readonly PutEventsRequestEntry[], signal?: AbortSignal): Promise<void>
}

/** EventBridge refuses such an entry for what it is: sending it again cannot help. */
const PERMANENT_ENTRY_ERRORS = new Set(['MalformedDetail', 'InvalidArgument'])

/** Some entries were not published before the last attempt or the deadline. */
export class EventPublishError extends Error {
  override name = 'EventPublishError'
  constructor(
    /** Entries that may go through later: worth the fallback queue. */
    readonly unpublished: PutEventsRequestEntry[],
    options?: { cause?: unknown; refused?: PutEventsRequestEntry[] },
  ) {
    const refused = options?.refused ?? []
    super(`${unpublished.length + refused.length} event(s) could not be published`, options)
    this.refused = refused
  }

  /** Entries EventBridge refused for what they are (e.g. an integer beyond int64): never retried. */
  readonly refused: PutEventsRequestEntry[]
}

/** Entries in requests of at most 10 entries and 256 KB. */
export function putEventsBatches(entries: readonly PutEventsRequestEntry[]) {
  const batches: PutEventsRequestEntry[][] = []
  let current: PutEventsRequestEntry[] = []
  let bytes = 0
  for (const entry of entries) {
    const size = entryBytes(entry)
    if (
      current.length === MAX_ENTRIES_PER_REQUEST ||
      (current.length > 0 && bytes + size > MAX_ENTRY_BYTES)
    ) {
      batches.push(current)
      current = []
      bytes = 0
    }
    current.push(entry)
    bytes += size
  }
  if (current.length > 0) batches.push(current)
  return batches
}

/**
 * Publishes on EventBridge. PutEvents answers per entry: the entries it failed (throttling, an
 * internal error) are sent again with backoff, up to `maxAttempts` requests, until `signal`.
 */
export function eventBridgePublisher(
  client: EventBridgeClient,
  { maxAttempts = 4, baseDelayMs = 50 }: { maxAttempts?: number; baseDelayMs?: number } = {},
): EventPublisher {
  return {
    async publish(entries, signal) {
      const unpublished: PutEventsRequestEntry[] = []
      const refused: PutEventsRequestEntry[] = []
      let cause: unknown
      for (const batch of putEventsBatches(entries)) {
        let pending = batch
        for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt++) {
          try {
            if (signal?.aborted) throw signal.reason
            if (attempt > 0)
              await delay(Math.random() * baseDelayMs * 2 ** attempt, undefined, { signal })
            // Imported when used: the bundles leave the EventBridge client to the Lambda runtime.
            const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge')
            const output = await client.send(new PutEventsCommand({ Entries: pending }), {
              abortSignal: signal,
            })
            // The answer's entries line up with the request's: a failed one has an ErrorCode.
            const codes = pending.map((_, i) => output.Entries?.[i]?.ErrorCode)
            const failed = pending.filter((_, i) => codes[i] !== undefined)
            if (failed.length > 0) cause = new Error(codes.find((code) => code !== undefined))
            refused.push(...pending.filter((_, i) => PERMANENT_ENTRY_ERRORS.has(codes[i] ?? '')))
            pending =
              (output.FailedEntryCount ?? 0) > 0
                ? failed.filter((entry) => !refused.includes(entry))
                : []
          } catch (error) {
            cause = error
            if (signal?.aborted) break
          }
        }
        unpublished.push(...pending)
      }
      if (unpublished.length > 0 || refused.length > 0) {
        throw new EventPublishError(unpublished, { cause, refused })
      }
    },
  }
}
