import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb'
import type { SnapshotItem } from '../store/snapshot-item'

/** The table's global secondary index by video: partition `fileId`, sort `timeOffset`. */
const BY_FILE_INDEX = 'byFileId'

/** What to read and how. */
export interface QueryOptions {
  /** Only the failed screenshots (status other than 0). */
  failedOnly?: boolean
  /** Items DynamoDB evaluates per request (its `Limit`); by default a page is up to 1 MB. */
  pageSize?: number
}

/** Orders by time offset, then task: a video's index holds the same offset once per task. */
const byOffset = (a: SnapshotItem, b: SnapshotItem) =>
  a.timeOffset - b.timeOffset ||
  (a.vodTaskId < b.vodTaskId ? -1 : a.vodTaskId > b.vodTaskId ? 1 : 0)

/** Every item a key condition matches, following `LastEvaluatedKey` page after page. */
async function queryAll(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  { failedOnly = false, pageSize }: QueryOptions,
): Promise<SnapshotItem[]> {
  const request: QueryCommandInput = { ...input }
  if (failedOnly) {
    // `status` is a DynamoDB reserved word. The filter runs after `Limit`: pages may be empty.
    request.FilterExpression = '#status <> :ok'
    request.ExpressionAttributeNames = { '#status': 'status' }
    request.ExpressionAttributeValues = { ...input.ExpressionAttributeValues, ':ok': 0 }
  }
  if (pageSize !== undefined) request.Limit = pageSize

  const items: SnapshotItem[] = []
  let startKey: Record<string, unknown> | undefined
  do {
    const page = await client.send(
      new QueryCommand(startKey ? { ...request, ExclusiveStartKey: startKey } : request),
    )
    items.push(...((page.Items ?? []) as SnapshotItem[]))
    startKey = page.LastEvaluatedKey
  } while (startKey)
  return items.sort(byOffset)
}

/**
 * Every screenshot of one task, by time offset.
 *
 * @throws the SDK's error, e.g. `ResourceNotFoundException` when the table does not exist
 */
export function queryByTask(
  client: DynamoDBDocumentClient,
  tableName: string,
  vodTaskId: string,
  options: QueryOptions = {},
): Promise<SnapshotItem[]> {
  return queryAll(
    client,
    {
      TableName: tableName,
      KeyConditionExpression: 'vodTaskId = :id',
      ExpressionAttributeValues: { ':id': vodTaskId },
    },
    options,
  )
}

/**
 * Every screenshot of one video, whatever task took it, through the `byFileId` index, by time
 * offset and then task ID.
 *
 * @throws the SDK's error, e.g. `ResourceNotFoundException` when the table does not exist
 */
export function queryByFile(
  client: DynamoDBDocumentClient,
  tableName: string,
  fileId: string,
  options: QueryOptions = {},
): Promise<SnapshotItem[]> {
  return queryAll(
    client,
    {
      TableName: tableName,
      IndexName: BY_FILE_INDEX,
      KeyConditionExpression: 'fileId = :id',
      ExpressionAttributeValues: { ':id': fileId },
    },
    options,
  )
}
