import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import pLimit from 'p-limit'
import { SNAPSHOT_EVENT_TYPE, type SnapshotResult } from './snapshot-result'

/** BatchWriteItem takes at most 25 writes per request. */
export const BATCH_SIZE = 25

/** How storing is paced; every field has a default suited to VOD's 5-second wait. */
export interface StoreOptions {
  /** Batch requests in flight at once (default 20: 1,000 results are two rounds). */
  concurrency?: number
  /** Requests per batch, the first included, before unprocessed items count as failed (default 6). */
  maxAttempts?: number
  /** Backoff before the n-th retry is random in [0, min(maxDelayMs, baseDelayMs * 2^n)). */
  baseDelayMs?: number
  maxDelayMs?: number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

/** Some results could not be written after every retry. */
export class SnapshotStoreError extends Error {
  override name = 'SnapshotStoreError'
  constructor(
    readonly unstored: number,
    options?: { cause?: unknown },
  ) {
    super(`${unstored} snapshot result(s) could not be stored`, options)
  }
}

/** The table item for one result: the attribute names and types applications read. */
export type SnapshotItem = Omit<SnapshotResult, 'url'> & {
  url?: string
  eventType: typeof SNAPSHOT_EVENT_TYPE
  receivedAt: string
}

/** Builds the item for one result; `url` is left out rather than stored empty. */
export function toSnapshotItem(result: SnapshotResult, receivedAt: string): SnapshotItem {
  const { url, ...rest } = result
  const item: SnapshotItem = { ...rest, eventType: SNAPSHOT_EVENT_TYPE, receivedAt }
  if (url !== undefined) item.url = url
  return item
}

/**
 * Keeps one result per (task, time offset): BatchWriteItem rejects a request that writes the same
 * key twice. A success wins over a failure; otherwise the later result wins.
 */
export function collapseDuplicateResults(results: readonly SnapshotResult[]): SnapshotResult[] {
  const byKey = new Map<string, SnapshotResult>()
  for (const result of results) {
    const key = `${result.timeOffset}\u0000${result.vodTaskId}`
    const kept = byKey.get(key)
    if (!kept || !(kept.status === 0 && result.status !== 0)) byKey.set(key, result)
  }
  return [...byKey.values()]
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

type WriteRequest = { PutRequest: { Item: SnapshotItem } }

/**
 * Writes every result as one item, in batches of 25 sent in parallel (bounded), retrying
 * `UnprocessedItems` with exponential backoff and full jitter. Writes are idempotent puts keyed
 * by (vodTaskId, timeOffset), so a redelivered callback leaves the same items.
 *
 * @returns the number of items written (after collapsing duplicates)
 * @throws {SnapshotStoreError} when items remain unwritten after the last attempt or a request fails
 */
export async function storeSnapshotResults(
  client: DynamoDBDocumentClient,
  tableName: string,
  results: readonly SnapshotResult[],
  receivedAt: string,
  options: StoreOptions = {},
): Promise<number> {
  const {
    concurrency = 20,
    maxAttempts = 6,
    baseDelayMs = 25,
    maxDelayMs = 400,
    sleep = defaultSleep,
    random = Math.random,
  } = options
  const items = collapseDuplicateResults(results).map((r) => toSnapshotItem(r, receivedAt))
  const batches: WriteRequest[][] = []
  for (let i = 0; i < items.length; i += BATCH_SIZE) {
    batches.push(items.slice(i, i + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } })))
  }

  // Never throws: a failed request leaves its batch's pending writes counted as unstored.
  const writeBatch = async (
    batch: WriteRequest[],
  ): Promise<{ pending: number; cause?: unknown }> => {
    let pending = batch
    try {
      for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt))
        const output = await client.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
        )
        pending = (output.UnprocessedItems?.[tableName] ?? []) as WriteRequest[]
      }
      return { pending: pending.length }
    } catch (cause) {
      return { pending: pending.length, cause }
    }
  }

  const limit = pLimit(concurrency)
  const outcomes = await Promise.all(batches.map((batch) => limit(() => writeBatch(batch))))
  const unstored = outcomes.reduce((sum, outcome) => sum + outcome.pending, 0)
  const cause = outcomes.find((outcome) => outcome.cause !== undefined)?.cause
  if (unstored > 0) throw new SnapshotStoreError(unstored, { cause })
  return items.length
}
