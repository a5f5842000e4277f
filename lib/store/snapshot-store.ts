import { setTimeout as delay } from 'node:timers/promises'
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import pLimit from 'p-limit'
import type { SnapshotResult } from '../events/snapshot-result'
import {
  mergeUpdate,
  replacesWhole,
  type SnapshotItem,
  snapshotItemsOf,
  withExpiry,
} from './snapshot-item'

/** BatchWriteItem takes at most 25 writes per request. */
const BATCH_SIZE = 25

/** How storing is paced; every field has a default suited to VOD's 5-second wait. */
export interface StoreOptions {
  /** Batch requests in flight at once (default 40: 1,000 results are one round). */
  concurrency?: number
  /** Requests per batch, the first included, before what is left counts as unstored (default 6). */
  maxAttempts?: number
  /** Backoff before the n-th retry is random in [0, min(maxDelayMs, baseDelayMs * 2^n)). */
  baseDelayMs?: number
  maxDelayMs?: number
  /** The deadline: once aborted, no request or retry starts and requests in flight are cancelled. */
  signal?: AbortSignal
  sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>
  random?: () => number
  /** When set, each item gets `expiresAt`: its receipt time plus this many days, for DynamoDB's TTL. */
  resultTtlDays?: number
}

/** Some items could not be written before the last attempt or the deadline. */
export class SnapshotStoreError extends Error {
  override name = 'SnapshotStoreError'
  constructor(
    readonly unstoredItems: SnapshotItem[],
    readonly stored: number,
    options?: { cause?: unknown },
  ) {
    super(`${unstoredItems.length} snapshot result(s) could not be stored`, options)
  }

  get unstored(): number {
    return this.unstoredItems.length
  }
}

// A request DynamoDB rejected for what it is (a missing table, a bad item) fails again.
const PERMANENT_ERRORS = new Set(['ValidationException', 'ResourceNotFoundException'])

type WriteRequest = { PutRequest: { Item: SnapshotItem } }

/**
 * Writes items (keys unique) under the integrity rules (see {@link replacesWhole}): whole
 * successes in batches of 25, everything else as a merge (UpdateItem) that never removes an
 * attribute and never replaces a stored success with a failure. Requests run in parallel
 * (bounded); `UnprocessedItems` and failed requests are retried with exponential backoff and full
 * jitter until `maxAttempts` or the deadline. Writing the same items again changes nothing.
 *
 * @returns the number of items written
 * @throws {SnapshotStoreError} with the items left unwritten
 */
export async function writeSnapshotItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly SnapshotItem[],
  options: StoreOptions = {},
): Promise<number> {
  const {
    concurrency = 40,
    maxAttempts = 6,
    baseDelayMs = 25,
    maxDelayMs = 400,
    signal,
    sleep = (ms, abort) => delay(ms, undefined, { signal: abort }),
    random = Math.random,
    resultTtlDays,
  } = options
  const withTtl = (item: SnapshotItem) => (resultTtlDays ? withExpiry(item, resultTtlDays) : item)
  // The common path: a whole success replaces what is stored, 25 items a request. Anything else
  // is a merge of its own, so that no later delivery makes a stored result worse.
  const puts: WriteRequest[] = []
  const merges: SnapshotItem[] = []
  for (const item of items) {
    if (replacesWhole(item)) puts.push({ PutRequest: { Item: withTtl(item) } })
    else merges.push(withTtl(item))
  }
  const batches: WriteRequest[][] = []
  for (let i = 0; i < puts.length; i += BATCH_SIZE) batches.push(puts.slice(i, i + BATCH_SIZE))

  /** Sends until nothing is pending, `maxAttempts` or the deadline; never throws. */
  const withRetries = async <T>(
    first: T[],
    send: (pending: T[]) => Promise<T[]>,
  ): Promise<{ pending: T[]; cause: unknown }> => {
    let pending = first
    let cause: unknown
    for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt++) {
      try {
        if (signal?.aborted) throw signal.reason
        if (attempt > 0) {
          await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt), signal)
        }
        pending = await send(pending)
      } catch (error) {
        cause = error
        if (signal?.aborted || PERMANENT_ERRORS.has((error as Error).name)) break
      }
    }
    return { pending, cause }
  }
  const writeBatch = async (batch: WriteRequest[]) => {
    const outcome = await withRetries(batch, async (pending) => {
      const output = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
        { abortSignal: signal },
      )
      return (output.UnprocessedItems?.[tableName] ?? []) as WriteRequest[]
    })
    return { pending: outcome.pending.map((w) => w.PutRequest.Item), cause: outcome.cause }
  }
  const writeMerge = (item: SnapshotItem) =>
    withRetries([item], async () => {
      try {
        await client.send(new UpdateCommand({ TableName: tableName, ...mergeUpdate(item) }), {
          abortSignal: signal,
        })
      } catch (error) {
        // The stored result is a success and this is a failure: the success stays, as it should.
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error
      }
      return []
    })

  const limit = pLimit(concurrency)
  const outcomes = await Promise.all([
    ...batches.map((batch) => limit(() => writeBatch(batch))),
    ...merges.map((item) => limit(() => writeMerge(item))),
  ])
  const unstored = outcomes.flatMap((outcome) => outcome.pending)
  if (unstored.length > 0) {
    const cause = outcomes.find((outcome) => outcome.pending.length > 0)?.cause
    throw new SnapshotStoreError(unstored, items.length - unstored.length, { cause })
  }
  return items.length
}

/**
 * Writes every result of one callback as one item, keyed by (vodTaskId, timeOffset), after
 * collapsing duplicate keys. A redelivered callback leaves the same items.
 *
 * @returns the number of items written
 * @throws {SnapshotStoreError} with the items left unwritten
 */
export function storeSnapshotResults(
  client: DynamoDBDocumentClient,
  tableName: string,
  results: readonly SnapshotResult[],
  receivedAt: string,
  options: StoreOptions = {},
): Promise<number> {
  return writeSnapshotItems(client, tableName, snapshotItemsOf(results, receivedAt), options)
}
