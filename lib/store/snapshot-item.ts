import {
  ITEM_ATTRIBUTES,
  type PROCEDURE_EVENT_TYPE,
  SNAPSHOT_EVENT_TYPE,
  type SnapshotResult,
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

/** The item with `expiresAt` set `days` after its receipt time. */
export function withExpiry(item: SnapshotItem, days: number): SnapshotItem {
  return { ...item, expiresAt: Math.floor(Date.parse(item.receivedAt) / 1000) + days * 86_400 }
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

type KeyAttribute = 'vodTaskId' | 'timeOffset'

// The attributes a merge sets: all but the keys, which are its Key (`partial` is never stored).
const MERGED_ATTRIBUTES = ITEM_ATTRIBUTES.filter(
  (name): name is Exclude<(typeof ITEM_ATTRIBUTES)[number], KeyAttribute> =>
    name !== 'vodTaskId' && name !== 'timeOffset',
)

/**
 * The UpdateItem that merges an item into what is stored: it sets the attributes the item has
 * and removes none (v3 and legacy twins end as their union), and a failure is written only where
 * no success is stored (a FAIL delivery after the SUCCESS leaves the screenshots).
 */
export function mergeUpdate(item: SnapshotItem) {
  const names: Record<string, string> = { '#status': 'status' }
  const values: Record<string, unknown> = {}
  const sets: string[] = []
  MERGED_ATTRIBUTES.forEach((name, i) => {
    const value = item[name]
    if (value === undefined) return
    const alias = name === 'status' ? '#status' : `#a${i}`
    names[alias] = name
    values[`:a${i}`] = value
    sets.push(`${alias} = :a${i}`)
  })
  const update = {
    Key: { vodTaskId: item.vodTaskId, timeOffset: item.timeOffset },
    UpdateExpression: `SET ${sets.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  }
  if (item.status === 0) return update
  values[':success'] = 0
  return { ...update, ConditionExpression: 'attribute_not_exists(#status) OR #status <> :success' }
}

/**
 * Keeps one result per (task, time offset): BatchWriteItem rejects a request that writes the same
 * key twice. A success wins over a failure; otherwise the later result wins. Offsets are compared
 * as numbers (10000.5 and 10000.50 are one key, as in DynamoDB's N), and a task flow's templates
 * never meet here: each has its own `vodTaskId` (see subtaskTaskIds).
 */
export function collapseDuplicateResults<
  T extends Pick<SnapshotResult, 'vodTaskId' | 'timeOffset' | 'status'>,
>(results: readonly T[]): T[] {
  const byKey = new Map<string, T>()
  for (const result of results) {
    const key = `${result.timeOffset}\u0000${result.vodTaskId}`
    const kept = byKey.get(key)
    if (!kept || !(kept.status === 0 && result.status !== 0)) byKey.set(key, result)
  }
  return [...byKey.values()]
}

/** One callback's items: one per (task, time offset), duplicates collapsed, received at `receivedAt`. */
export function snapshotItemsOf(
  results: readonly SnapshotResult[],
  receivedAt: string,
): SnapshotItem[] {
  return collapseDuplicateResults(results).map((result) => toSnapshotItem(result, receivedAt))
}
