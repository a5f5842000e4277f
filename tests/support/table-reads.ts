import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/client-dynamodb'

export type RawItem = Record<string, AttributeValue>

/** One screenshot as the table should hold it, with the URL attribute only when there is one. */
export interface ExpectedSnapshot {
  vodTaskId: string
  fileId: string
  definition: number
  timeOffset: number
  status: number
  url?: string
  /** A task flow's results: the 2017 event's items have none of these. */
  eventType?: 'ProcedureStateChanged'
  procedureTaskId?: string
  sessionContext?: string
  sessionId?: string
  watermarkDefinitions?: number[]
}

/** The raw item (AttributeValues, as a Query returns it) that one screenshot should become. */
export function rawSnapshotItem(snapshot: ExpectedSnapshot, receivedAt: string): RawItem {
  const item: RawItem = {
    vodTaskId: { S: snapshot.vodTaskId },
    timeOffset: { N: String(snapshot.timeOffset) },
    fileId: { S: snapshot.fileId },
    definition: { N: String(snapshot.definition) },
    status: { N: String(snapshot.status) },
    eventType: { S: snapshot.eventType ?? 'CreateSnapshotByTimeOffsetComplete' },
    receivedAt: { S: receivedAt },
  }
  if (snapshot.url !== undefined) item.url = { S: snapshot.url }
  if (snapshot.procedureTaskId !== undefined) {
    item.procedureTaskId = { S: snapshot.procedureTaskId }
  }
  if (snapshot.sessionContext !== undefined) item.sessionContext = { S: snapshot.sessionContext }
  if (snapshot.sessionId !== undefined) item.sessionId = { S: snapshot.sessionId }
  if (snapshot.watermarkDefinitions !== undefined) {
    item.watermarkDefinitions = { L: snapshot.watermarkDefinitions.map((d) => ({ N: String(d) })) }
  }
  return item
}

/** Every item of one task, in sort-key order, over every page of a raw Query. */
export async function itemsOfTask(
  client: DynamoDBClient,
  tableName: string,
  vodTaskId: string,
): Promise<RawItem[]> {
  const input = {
    TableName: tableName,
    KeyConditionExpression: 'vodTaskId = :id',
    ExpressionAttributeValues: { ':id': { S: vodTaskId } },
  }
  const items: RawItem[] = []
  for await (const page of paginateQuery({ client }, input)) items.push(...(page.Items ?? []))
  return items
}

/** Every item of one video through the byFileId index, in time-offset order. */
export async function itemsOfFile(
  client: DynamoDBClient,
  tableName: string,
  fileId: string,
): Promise<RawItem[]> {
  const input = {
    TableName: tableName,
    IndexName: 'byFileId',
    KeyConditionExpression: 'fileId = :id',
    ExpressionAttributeValues: { ':id': { S: fileId } },
  }
  const items: RawItem[] = []
  for await (const page of paginateQuery({ client }, input)) items.push(...(page.Items ?? []))
  return items
}

/** How many items the whole table holds, over every page of a COUNT scan. */
export async function countItems(client: DynamoDBClient, tableName: string): Promise<number> {
  let count = 0
  const input = { TableName: tableName, Select: 'COUNT' as const }
  for await (const page of paginateScan({ client }, input)) count += page.Count ?? 0
  return count
}

/** Deletes every item, so the next case starts from an empty table without a new CreateTable. */
export async function emptyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const input = { TableName: tableName, ProjectionExpression: 'vodTaskId, timeOffset' }
  const keys: RawItem[] = []
  for await (const page of paginateScan({ client }, input)) keys.push(...(page.Items ?? []))
  for (let i = 0; i < keys.length; i += 25) {
    const deletes = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }))
    let pending: typeof deletes | undefined = deletes
    while (pending && pending.length > 0) {
      const output = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
      )
      pending = output.UnprocessedItems?.[tableName] as typeof deletes | undefined
    }
  }
}
