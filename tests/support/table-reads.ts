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
}

/** The raw item (AttributeValues, as a Query returns it) that one screenshot should become. */
export function rawSnapshotItem(snapshot: ExpectedSnapshot, receivedAt: string): RawItem {
  const item: RawItem = {
    vodTaskId: { S: snapshot.vodTaskId },
    timeOffset: { N: String(snapshot.timeOffset) },
    fileId: { S: snapshot.fileId },
    definition: { N: String(snapshot.definition) },
    status: { N: String(snapshot.status) },
    eventType: { S: 'CreateSnapshotByTimeOffsetComplete' },
    receivedAt: { S: receivedAt },
  }
  if (snapshot.url !== undefined) item.url = { S: snapshot.url }
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
