import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { fallbackItems, toFallbackMessages } from '../../lib/durability/fallback-message'
import { createRedriveHandler } from '../../lib/durability/redrive'
import { toSnapshotItem } from '../../lib/store/snapshot-item'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import { lambdaContext } from '../support/http-event'
import { writtenItems } from '../support/written-items'

const TABLE = 'vod-snapshots-unit'
const RECEIVED_AT = '2026-11-24T03:00:00.000Z'
const ddb = mockClient(DynamoDBClient)

const items = (task: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    toSnapshotItem(
      {
        vodTaskId: task,
        fileId: '14508071098244929440',
        definition: 10,
        timeOffset: i,
        status: 0,
        url: `http://vod.example/${task}/${i}.png`,
      },
      RECEIVED_AT,
    ),
  )
const record = (messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: `handle-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'sender',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:vod-snapshots-test-fallback',
  awsRegion: 'us-east-1',
})
const messageOf = (task: string, count: number) =>
  JSON.stringify(toFallbackMessages(items(task, count))[0])

function redrive(records: SQSRecord[]) {
  const handler = createRedriveHandler({
    tableName: TABLE,
    client: new DynamoDBClient({}),
    logger: captureLogger(),
    metrics: captureMetrics(),
    storeOptions: { sleep: async () => {}, maxAttempts: 2 },
  })
  return handler({ Records: records } satisfies SQSEvent, lambdaContext())
}

beforeEach(() => {
  ddb.reset()
  ddb.on(BatchWriteItemCommand).resolves({})
})

describe('the redrive consumer', () => {
  it('writes each message back as the items it stands for, with their receipt time', async () => {
    expect(await redrive([record('m1', messageOf('task-a', 30))])).toStrictEqual({
      batchItemFailures: [],
    })
    expect(writtenItems(ddb, TABLE)).toStrictEqual(items('task-a', 30))
  })

  it('reports only the messages it could not write, so SQS delivers them again', async () => {
    ddb.on(BatchWriteItemCommand).callsFake((input) => {
      const writes = input.RequestItems[TABLE]
      const task = writes[0].PutRequest.Item.vodTaskId.S
      return task === 'task-b' ? { UnprocessedItems: input.RequestItems } : {}
    })

    const response = await redrive([
      record('m1', messageOf('task-a', 3)),
      record('m2', messageOf('task-b', 3)),
      record('m3', messageOf('task-c', 3)),
    ])

    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] })
  })

  it('reports a message that is not a fallback message instead of dropping it', async () => {
    const response = await redrive([
      record('bad', '{"kind":"something else"}'),
      record('junk', 'x'),
    ])
    expect(response).toStrictEqual({
      batchItemFailures: [{ itemIdentifier: 'bad' }, { itemIdentifier: 'junk' }],
    })
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
  })
})

describe('toFallbackMessages', () => {
  it('round-trips items, splitting a large callback into messages under the size limit', () => {
    const many = items('task-big', 5000)
    const messages = toFallbackMessages(many, 50_000)
    expect(messages.length).toBeGreaterThan(1)
    for (const message of messages)
      expect(JSON.stringify(message).length).toBeLessThanOrEqual(50_000)
    expect(messages.flatMap(fallbackItems)).toStrictEqual(many)
  })
})
