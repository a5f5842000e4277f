import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import {
  ITEM_ATTRIBUTES,
  type PROCEDURE_EVENT_TYPE,
  SNAPSHOT_EVENT_TYPE,
  type SnapshotResult,
  UNCODED_FAILURE_STATUS,
} from '../events/snapshot-result'

/**
 * The table item for one result: the attribute names and types applications read. The 2017
 * event's items have no `procedureTaskId`, `sessionContext`, `sessionId` or
 * `watermarkDefinitions`.
 */
export type SnapshotItem = Omit<SnapshotResult, 'url' | 'eventType'> & {
  url?: string
  eventType: typeof SNAPSHOT_EVENT_TYPE | typeof PROCEDURE_EVENT_TYPE
  receivedAt: string
  /** Epoch seconds after which DynamoDB's TTL may delete the item (only with RESULT_TTL_DAYS). */
  expiresAt?: number
}

/** The epoch second after which DynamoDB's TTL may delete an item received at `receivedAt`. */
export function expiryOf(receivedAt: string, days: number): number {
  return Math.floor(Date.parse(receivedAt) / 1000) + days * 86_400
}

/**
 * Builds the item for one result; `url` is left out rather than stored empty. Built field by
 * field: a rest-and-spread copy is many times slower in V8, and this runs for every result.
 */
export function toSnapshotItem(result: SnapshotResult, receivedAt: string): SnapshotItem {
  const item: SnapshotItem = {
    vodTaskId: result.vodTaskId,
    fileId: result.fileId,
    definition: result.definition,
    timeOffset: result.timeOffset,
    status: result.status,
    eventType: result.eventType ?? SNAPSHOT_EVENT_TYPE,
    receivedAt,
  }
  if (result.url !== undefined) item.url = result.url
  // Only a task flow's results carry these; the 2017 event's items keep their shape.
  if (result.procedureTaskId !== undefined) item.procedureTaskId = result.procedureTaskId
  if (result.sessionContext !== undefined) item.sessionContext = result.sessionContext
  if (result.sessionId !== undefined) item.sessionId = result.sessionId
  if (result.watermarkDefinitions !== undefined) {
    item.watermarkDefinitions = result.watermarkDefinitions
  }
  if (result.partial) item.partial = true
  return item
}

/**
 * The integrity rules' common case: a success that carries its image and every attribute its
 * format knows may replace whatever is stored under its key, so it goes in a batch of puts.
 * Anything else is merged ({@link mergeUpdate}): a failure, a success without a URL, and an
 * item of a format that lacks attributes (`partial`, the legacy task flow's).
 */
export function replacesWhole(item: SnapshotItem): boolean {
  return item.status === 0 && item.url !== undefined && item.partial !== true
}

type Attributes = Record<string, AttributeValue>

/** The `origin` of an item reconcile wrote: VOD's task API had it, no callback delivered it. */
export const RECONCILE_ORIGIN = 'reconcile'

/**
 * The item as DynamoDB's AttributeValues, built by hand: its shape is fixed, and the document
 * client's generic marshalling cost about a fifth of a callback's CPU (npm run bench). Numbers
 * are written as JavaScript prints them, as the SDK's marshalling does; `partial` is never
 * stored. `expiresAt`, when given, is the TTL attribute.
 */
export function itemAttributes(item: SnapshotItem, expiresAt?: number): Attributes {
  const attributes: Attributes = {
    vodTaskId: { S: item.vodTaskId },
    timeOffset: { N: String(item.timeOffset) },
    fileId: { S: item.fileId },
    definition: { N: String(item.definition) },
    status: { N: String(item.status) },
    eventType: { S: item.eventType },
    receivedAt: { S: item.receivedAt },
  }
  if (item.url !== undefined) attributes.url = { S: item.url }
  if (item.procedureTaskId !== undefined) {
    attributes.procedureTaskId = { S: item.procedureTaskId }
  }
  if (item.sessionContext !== undefined) attributes.sessionContext = { S: item.sessionContext }
  if (item.sessionId !== undefined) attributes.sessionId = { S: item.sessionId }
  if (item.watermarkDefinitions !== undefined) {
    attributes.watermarkDefinitions = {
      L: item.watermarkDefinitions.map((definition) => ({ N: String(definition) })),
    }
  }
  const expiry = expiresAt ?? item.expiresAt
  if (expiry !== undefined) attributes.expiresAt = { N: String(expiry) }
  return attributes
}

/** What every stored item has, or may have; the keys are the Key of a merge. */
const KEY_ATTRIBUTES = new Set(['vodTaskId', 'timeOffset'])

// One alias per attribute a merge may set, in ITEM_ATTRIBUTES' order: stable expressions.
const ALIASES = new Map(
  ITEM_ATTRIBUTES.filter((name) => !KEY_ATTRIBUTES.has(name)).map((name, i) => [
    name as string,
    name === 'status' ? '#status' : `#a${i}`,
  ]),
)

/**
 * The UpdateItem that merges an item into what is stored: it sets the attributes the item has
 * and removes none (v3 and legacy twins end as their union), and a failure is written only where
 * no success is stored (a FAIL delivery after the SUCCESS leaves the screenshots). A failure
 * without a code sets its status only where none is stored: it never replaces VOD's code for
 * the same failure.
 */
export function mergeUpdate(item: SnapshotItem, expiresAt?: number) {
  const { vodTaskId, timeOffset, ...attributes } = itemAttributes(item, expiresAt)
  const names: Record<string, string> = { '#status': 'status' }
  const values: Attributes = {}
  const sets: string[] = []
  for (const [name, value] of Object.entries(attributes)) {
    const alias = ALIASES.get(name) ?? name
    const placeholder = `:${alias.slice(1)}`
    names[alias] = name
    values[placeholder] = value
    sets.push(
      name === 'status' && item.status === UNCODED_FAILURE_STATUS
        ? `${alias} = if_not_exists(${alias}, ${placeholder})`
        : `${alias} = ${placeholder}`,
    )
  }
  const update = {
    Key: { vodTaskId, timeOffset } as Attributes,
    UpdateExpression: `SET ${sets.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  }
  if (item.status === 0) return update
  values[':success'] = { N: '0' }
  return { ...update, ConditionExpression: 'attribute_not_exists(#status) OR #status <> :success' }
}

/** What a result is worth against another for one key: a success, a coded failure, an uncoded one. */
const worth = (status: number) => (status === 0 ? 2 : status === UNCODED_FAILURE_STATUS ? 0 : 1)

/**
 * Keeps one result per (task, time offset): BatchWriteItem rejects a request that writes the same
 * key twice. A success wins over a failure, a failure with a code over one without; otherwise the
 * later result wins. Offsets are compared
 * as numbers (10000.5 and 10000.50 are one key, as in DynamoDB's N), and a task flow's templates
 * never meet here: each has its own `vodTaskId` (see subtaskTaskIds).
 */
export function collapseDuplicateResults<
  T extends Pick<SnapshotResult, 'vodTaskId' | 'timeOffset' | 'status'>,
>(results: readonly T[]): readonly T[] {
  // VOD lists one task's offsets in ascending order: then no key repeats, and no map is built.
  if (ascendingInOneTask(results)) return results
  // Keyed by task, then by offset as a number: no key string is built per result.
  const byTask = new Map<string, Map<number, T>>()
  let task: string | undefined
  let byOffset = new Map<number, T>()
  for (const result of results) {
    if (result.vodTaskId !== task) {
      task = result.vodTaskId
      const known = byTask.get(task)
      if (known) byOffset = known
      else {
        byOffset = new Map()
        byTask.set(task, byOffset)
      }
    }
    const kept = byOffset.get(result.timeOffset)
    if (!kept || worth(result.status) >= worth(kept.status)) byOffset.set(result.timeOffset, result)
  }
  const kept: T[] = []
  for (const offsets of byTask.values()) for (const result of offsets.values()) kept.push(result)
  return kept
}

/** Whether every result has the first one's task and a larger offset than the one before it. */
function ascendingInOneTask(results: readonly Pick<SnapshotResult, 'vodTaskId' | 'timeOffset'>[]) {
  const first = results[0]
  if (!first) return true
  let previous = first.timeOffset
  for (let i = 1; i < results.length; i++) {
    const result = results[i] as (typeof results)[number]
    if (result.vodTaskId !== first.vodTaskId || !(result.timeOffset > previous)) return false
    previous = result.timeOffset
  }
  return true
}

/** One callback's items: one per (task, time offset), duplicates collapsed, received at `receivedAt`. */
export function snapshotItemsOf(
  results: readonly SnapshotResult[],
  receivedAt: string,
): SnapshotItem[] {
  return collapseDuplicateResults(results).map((result) => toSnapshotItem(result, receivedAt))
}
