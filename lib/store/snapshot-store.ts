import { setTimeout as delay } from 'node:timers/promises'
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import pLimit from 'p-limit'
import type { SnapshotResult } from '../events/snapshot-result'
import { beforeDeadline, type Deadline } from '../runtime/deadline'
import {
  expiryOf,
  itemAttributes,
  mergeUpdate,
  RECONCILE_ORIGIN,
  replacesWhole,
  type SnapshotItem,
  snapshotItemsOf,
} from './snapshot-item'

/** Requests one store has in flight at once by default: 1,000 results are one round. */
export const STORE_CONCURRENCY = 40

/** BatchWriteItem takes at most 25 writes per request. */
const BATCH_SIZE = 25

/** How storing is paced; every field has a default suited to VOD's 5-second wait. */
export interface StoreOptions {
  /** Batch requests in flight at once (default {@link STORE_CONCURRENCY}). */
  concurrency?: number
  /** Requests per batch, the first included, before what is left counts as unstored (default 6). */
  maxAttempts?: number
  /** Backoff before the n-th retry is random in [0, min(maxDelayMs, baseDelayMs * 2^n)). */
  baseDelayMs?: number
  maxDelayMs?: number
  /**
   * Once it passes, no request or retry starts, and the writes stop waiting for requests in
   * flight (cancelled when it carries a signal). Without it, writes stop after their attempts.
   */
  deadline?: Deadline
  sleep?: (ms: number) => Promise<unknown>
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

// The default sleep between attempts; a deadline that passes meanwhile ends the wait. Its timer
// keeps the process alive: a command whose every write is backing off has nothing else that does.
const backOff = (ms: number) => delay(ms)

/**
 * Sends until nothing is pending, `maxAttempts` or the deadline, backing off with full jitter;
 * never throws: what is left comes back with the last error.
 */
async function sendWithRetries<T>(
  first: T[],
  send: (pending: T[]) => Promise<T[]>,
  options: StoreOptions,
): Promise<{ pending: T[]; cause: unknown }> {
  const {
    maxAttempts = 6,
    baseDelayMs = 25,
    maxDelayMs = 400,
    deadline,
    sleep = backOff,
    random = Math.random,
  } = options
  let pending = first
  let cause: unknown
  for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt++) {
    try {
      if (attempt > 0) {
        const ms = random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt)
        await beforeDeadline(sleep(ms), deadline)
      }
      if (deadline?.passed) throw deadline.reason
      pending = await beforeDeadline(send(pending), deadline)
    } catch (error) {
      // What DynamoDB answered stays the cause when the deadline then ends the retries: the log
      // names the throttling or the outage, not the deadline.
      if (cause === undefined || error !== deadline?.reason) cause = error
      if (deadline?.passed || PERMANENT_ERRORS.has((error as Error).name)) break
    }
  }
  return { pending, cause }
}

/** The SDK's send options for a deadline: its signal, where it has one, cancels requests in flight. */
const abortOptions = (deadline: Deadline | undefined) =>
  deadline?.signal ? { abortSignal: deadline.signal } : undefined

/** A put and the item it writes, to hand back what was left unwritten. */
export type Put = {
  request: { PutRequest: { Item: Record<string, AttributeValue> } }
  item: SnapshotItem
}

/** The requests that write some items, before any is sent. */
export interface WritePlan {
  /** Whole successes, 25 puts a BatchWriteItem. */
  batches: Put[][]
  /** Everything else: one UpdateItem each ({@link mergeUpdate}). */
  merges: SnapshotItem[]
}

/**
 * Sorts items by how they are written and builds the puts' AttributeValues, with `expiresAt`
 * when results expire. One pass over the items; the bench measures it as its own phase.
 */
export function planWrites(items: readonly SnapshotItem[], resultTtlDays?: number): WritePlan {
  // Items of one event share their receipt time: the expiry is computed once per time.
  let expiryFor: string | undefined
  let expiry: number | undefined
  const puts: Put[] = []
  const merges: SnapshotItem[] = []
  for (const item of items) {
    // The common path: a whole success replaces what is stored, 25 items a request. Anything
    // else is a merge of its own, so that no later delivery makes a stored result worse.
    if (!replacesWhole(item)) {
      merges.push(item)
      continue
    }
    if (resultTtlDays && item.receivedAt !== expiryFor) {
      expiryFor = item.receivedAt
      expiry = expiryOf(item.receivedAt, resultTtlDays)
    }
    const Item = itemAttributes(item, resultTtlDays ? expiry : undefined)
    puts.push({ request: { PutRequest: { Item } }, item })
  }
  const batches: Put[][] = []
  for (let i = 0; i < puts.length; i += BATCH_SIZE) batches.push(puts.slice(i, i + BATCH_SIZE))
  return { batches, merges }
}

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
  client: DynamoDBClient,
  tableName: string,
  items: readonly SnapshotItem[],
  options: StoreOptions = {},
): Promise<number> {
  const { concurrency = STORE_CONCURRENCY, resultTtlDays } = options
  const sendOptions = abortOptions(options.deadline)
  const { batches, merges } = planWrites(items, resultTtlDays)

  const withRetries = <T>(first: T[], send: (pending: T[]) => Promise<T[]>) =>
    sendWithRetries(first, send, options)
  const writeBatch = async (batch: Put[]) => {
    const outcome = await withRetries(batch, async (pending) => {
      const output = await client.send(
        new BatchWriteItemCommand({
          RequestItems: { [tableName]: pending.map((put) => put.request) },
        }),
        sendOptions,
      )
      const unprocessed = output.UnprocessedItems?.[tableName]
      if (!unprocessed?.length) return []
      // DynamoDB hands back the requests it did not process, by value: matched by their key. One
      // that matches none (a number written another way) retries the whole batch: puts repeat
      // safely, and no result is counted as stored that was not.
      const left = new Set(unprocessed.map((w) => keyOf(w.PutRequest?.Item)))
      const still = pending.filter((put) => left.has(keyOf(put.request.PutRequest.Item)))
      return still.length === unprocessed.length ? still : pending
    })
    return { pending: outcome.pending.map((put) => put.item), cause: outcome.cause }
  }
  const writeMerge = (item: SnapshotItem) =>
    withRetries([item], async () => {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            ...mergeUpdate(
              item,
              resultTtlDays ? expiryOf(item.receivedAt, resultTtlDays) : undefined,
            ),
          }),
          sendOptions,
        )
      } catch (error) {
        // The stored result is a success and this is a failure: the success stays, as it should.
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error
      }
      return []
    })

  // A callback of up to 1,000 whole successes is one round: no queue is needed for it.
  const requests = batches.length + merges.length
  const limit: <R>(run: () => Promise<R>) => Promise<R> =
    requests > concurrency ? pLimit(concurrency) : (run) => run()
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

/** An item's key as one string: the partition key and the sort key's number. */
function keyOf(item: Record<string, AttributeValue> | undefined): string {
  // As a number: 1e-7 and 0.0000001 are one key, as in DynamoDB's N.
  return `${Number(item?.timeOffset?.N)}\u0000${item?.vodTaskId?.S}`
}

/** BatchGetItem reads at most 100 keys per request. */
const GET_BATCH_SIZE = 100

/** What {@link writeMissingItems} did: the items it wrote, and how many were there already. */
export interface MissingWrite {
  created: SnapshotItem[]
  present: number
}

/**
 * Writes only the items the table lacks, each marked `origin: "reconcile"`: what a callback
 * stored stays exactly as it is (its `receivedAt` and every attribute). The keys are read first
 * (BatchGetItem, 100 a request, only the key projected) and each missing item is a PutItem on
 * the condition that its key is still absent, so a callback that lands in between wins. Retries
 * and the deadline as {@link writeSnapshotItems}; running it again writes nothing. With `dryRun`
 * nothing is written: `created` is what would be.
 *
 * @throws {SnapshotStoreError} with the items neither found nor written
 */
export async function writeMissingItems(
  client: DynamoDBClient,
  tableName: string,
  items: readonly SnapshotItem[],
  options: StoreOptions = {},
  { dryRun = false }: { dryRun?: boolean } = {},
): Promise<MissingWrite> {
  const { concurrency = STORE_CONCURRENCY, resultTtlDays } = options
  const sendOptions = abortOptions(options.deadline)
  const limit = pLimit(concurrency)
  const byKey = new Map(items.map((item) => [keyOf(itemAttributes(item)), item]))
  const found = new Set<string>()
  const chunks: string[][] = []
  const keys = [...byKey.keys()]
  for (let i = 0; i < keys.length; i += GET_BATCH_SIZE) {
    chunks.push(keys.slice(i, i + GET_BATCH_SIZE))
  }
  const reads = await Promise.all(
    chunks.map((chunk) =>
      limit(() =>
        sendWithRetries(
          chunk,
          async (pending) => {
            const output = await client.send(
              new BatchGetItemCommand({
                RequestItems: {
                  [tableName]: {
                    Keys: pending.map((key) => {
                      const { vodTaskId, timeOffset } = itemAttributes(
                        byKey.get(key) as SnapshotItem,
                      )
                      return { vodTaskId, timeOffset } as Record<string, AttributeValue>
                    }),
                    ProjectionExpression: '#task, #offset',
                    ExpressionAttributeNames: { '#task': 'vodTaskId', '#offset': 'timeOffset' },
                  },
                },
              }),
              sendOptions,
            )
            for (const item of output.Responses?.[tableName] ?? []) found.add(keyOf(item))
            const unprocessed = output.UnprocessedKeys?.[tableName]?.Keys ?? []
            const left = new Set(unprocessed.map((k) => keyOf(k)))
            return pending.filter((key) => left.has(key))
          },
          options,
        ),
      ),
    ),
  )
  if (reads.some((read) => read.pending.length > 0)) {
    const cause = reads.find((read) => read.pending.length > 0)?.cause
    // Every item not known to be in the table: the unread ones and those found missing.
    const left = [...byKey].filter(([key]) => !found.has(key)).map(([, item]) => item)
    throw new SnapshotStoreError(left, 0, { cause })
  }
  const missing = [...byKey].filter(([key]) => !found.has(key)).map(([, item]) => item)
  if (dryRun) return { created: missing, present: items.length - missing.length }
  // Written by a request whose answer came; counted below only where the write was not given up
  // on first (an answer that comes after the deadline is not counted as written).
  const answered = new Set<SnapshotItem>()
  const writes = await Promise.all(
    missing.map((item) =>
      limit(() =>
        sendWithRetries(
          [item],
          async () => {
            const expiry = resultTtlDays ? expiryOf(item.receivedAt, resultTtlDays) : undefined
            try {
              await client.send(
                new PutItemCommand({
                  TableName: tableName,
                  Item: { ...itemAttributes(item, expiry), origin: { S: RECONCILE_ORIGIN } },
                  ConditionExpression: 'attribute_not_exists(vodTaskId)',
                }),
                sendOptions,
              )
              answered.add(item)
            } catch (error) {
              // A callback stored it since the read: it stays as the callback left it.
              if ((error as Error).name !== 'ConditionalCheckFailedException') throw error
            }
            return []
          },
          options,
        ),
      ),
    ),
  )
  const created = missing.filter((item, i) => answered.has(item) && writes[i]?.pending.length === 0)
  const unwritten = writes.flatMap((write) => write.pending)
  if (unwritten.length > 0) {
    const cause = writes.find((write) => write.pending.length > 0)?.cause
    // What this run wrote: the items already present were not stored by it.
    throw new SnapshotStoreError(unwritten, created.length, { cause })
  }
  return { created, present: items.length - created.length }
}

/**
 * Writes every result of one callback as one item, keyed by (vodTaskId, timeOffset), after
 * collapsing duplicate keys. A redelivered callback leaves the same items.
 *
 * @returns the number of items written
 * @throws {SnapshotStoreError} with the items left unwritten
 */
export function storeSnapshotResults(
  client: DynamoDBClient,
  tableName: string,
  results: readonly SnapshotResult[],
  receivedAt: string,
  options: StoreOptions = {},
): Promise<number> {
  return writeSnapshotItems(client, tableName, snapshotItemsOf(results, receivedAt), options)
}
