import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { queryByFile, queryByTask } from '../../lib/operator/snapshot-query'
import { FILE_ID, snapshotItem, TASK_ID } from '../support/snapshot-items'

const TABLE = 'vod-snapshots-unit'
const ddb = mockClient(DynamoDBDocumentClient)
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}))
const inputs = () => ddb.commandCalls(QueryCommand).map((call) => call.args[0].input)

beforeEach(() => {
  ddb.reset()
})

describe('queryByTask', () => {
  it('queries the task by key and follows LastEvaluatedKey to the last page', async () => {
    const [first, second, third] = [snapshotItem(0), snapshotItem(1000), snapshotItem(2000)]
    const key = (item = first) => ({ vodTaskId: TASK_ID, timeOffset: item?.timeOffset })
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [first, second], LastEvaluatedKey: key(second) })
      .resolvesOnce({ Items: [], LastEvaluatedKey: key(second) })
      .resolvesOnce({ Items: [third] })

    const items = await queryByTask(client, TABLE, TASK_ID, { pageSize: 2 })

    expect(items).toStrictEqual([first, second, third])
    const request = {
      TableName: TABLE,
      KeyConditionExpression: 'vodTaskId = :id',
      ExpressionAttributeValues: { ':id': TASK_ID },
      Limit: 2,
    }
    expect(inputs()).toStrictEqual([
      request,
      { ...request, ExclusiveStartKey: key(second) },
      { ...request, ExclusiveStartKey: key(second) },
    ])
  })

  it('asks DynamoDB for the failures only with --failed', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] })

    expect(await queryByTask(client, TABLE, TASK_ID, { failedOnly: true })).toStrictEqual([])

    expect(inputs()).toStrictEqual([
      {
        TableName: TABLE,
        KeyConditionExpression: 'vodTaskId = :id',
        FilterExpression: '#status <> :ok',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':id': TASK_ID, ':ok': 0 },
      },
    ])
  })

  it('passes an error of the SDK on', async () => {
    const missing = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
    })
    ddb.on(QueryCommand).rejects(missing)

    await expect(queryByTask(client, TABLE, TASK_ID)).rejects.toThrow(missing)
  })
})

describe('queryByFile', () => {
  it('queries the byFileId index and orders equal offsets by task', async () => {
    const items = [
      snapshotItem(0, { vodTaskId: 'task-b' }),
      snapshotItem(0, { vodTaskId: 'task-a' }),
      snapshotItem(5),
    ]
    ddb.on(QueryCommand).resolves({ Items: items })

    expect(await queryByFile(client, TABLE, FILE_ID)).toStrictEqual([items[1], items[0], items[2]])
    expect(inputs()).toStrictEqual([
      {
        TableName: TABLE,
        IndexName: 'byFileId',
        KeyConditionExpression: 'fileId = :id',
        ExpressionAttributeValues: { ':id': FILE_ID },
      },
    ])
  })
})
