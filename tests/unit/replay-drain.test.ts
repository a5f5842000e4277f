import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { drainDeadLetterQueue, queueDepth, replay } from '../../lib/durability/replay'
import {
  isTableNotFound,
  tableLocation,
  tableNotFoundLine,
} from '../../lib/operator/table-not-found'
import { SnapshotStoreError } from '../../lib/store/snapshot-store'
import { DLQ_URL, fallbackBody } from '../support/dead-letter-messages'
import { legacyCallbackWith } from '../support/fixtures'

const QUEUE = DLQ_URL
const sqs = mockClient(SQSClient)
const body = fallbackBody
const message = (id: string) => ({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: body(id) })
const notFound = () =>
  Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' })

beforeEach(() => sqs.reset())

describe('drainDeadLetterQueue with stopOn', () => {
  it('stops at an error every write would meet, and makes what it had not written visible again', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('a'), message('b'), message('c')] })
      .resolves({})
    const storeError = new SnapshotStoreError([], 0, { cause: notFound() })
    let writes = 0
    const progress: string[] = []

    const drained = drainDeadLetterQueue(
      new SQSClient({}),
      QUEUE,
      async () => {
        if (++writes === 1) return 1
        throw storeError
      },
      (m, outcome) => progress.push(`${m.MessageId} ${outcome.error ? 'failed' : 'stored'}`),
      { stopOn: isTableNotFound },
    )

    await expect(drained).rejects.toBe(storeError)
    expect(writes).toBe(2)
    expect(progress).toStrictEqual(['a stored'])
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toStrictEqual([
      { QueueUrl: QUEUE, ReceiptHandle: 'rh-a' },
    ])
    expect(
      sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input),
    ).toStrictEqual([
      { QueueUrl: QUEUE, ReceiptHandle: 'rh-b', VisibilityTimeout: 0 },
      { QueueUrl: QUEUE, ReceiptHandle: 'rh-c', VisibilityTimeout: 0 },
    ])
  })

  it('still throws the error when SQS refuses to make the messages visible again', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('a')] })
      .resolves({})
    sqs.on(ChangeMessageVisibilityCommand).rejects(new Error('AccessDenied'))
    const error = notFound()
    await expect(
      drainDeadLetterQueue(
        new SQSClient({}),
        QUEUE,
        async () => {
          throw error
        },
        () => {},
        { stopOn: isTableNotFound },
      ),
    ).rejects.toBe(error)
  })

  it('counts an error stopOn does not accept as a failed message, and goes on', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('a'), message('b')] })
      .resolves({})
    const outcome = await drainDeadLetterQueue(
      new SQSClient({}),
      QUEUE,
      async () => {
        throw new Error('throttled')
      },
      () => {},
      { stopOn: isTableNotFound },
    )
    expect(outcome).toStrictEqual({ written: 0, failed: 2 })
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0)
  })
})

describe('queueDepth', () => {
  it('reads the messages waiting and in flight from the queue attributes', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '1' },
    })
    expect(await queueDepth(new SQSClient({}), QUEUE)).toStrictEqual({ waiting: 2, inFlight: 1 })
    expect(sqs.commandCalls(GetQueueAttributesCommand)[0]?.args[0].input).toStrictEqual({
      QueueUrl: QUEUE,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    })
  })

  it('throws when the queue does not say how many are in flight', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } })
    await expect(queueDepth(new SQSClient({}), QUEUE)).rejects.toThrow(
      'the queue did not say its ApproximateNumberOfMessagesNotVisible',
    )
  })
})

describe('table not found', () => {
  it('recognises a missing table in the error or in what caused it', () => {
    expect(isTableNotFound(notFound())).toBe(true)
    expect(isTableNotFound(new SnapshotStoreError([], 0, { cause: notFound() }))).toBe(true)
    expect(isTableNotFound(new SnapshotStoreError([], 0, { cause: new Error('throttled') }))).toBe(
      false,
    )
    expect(isTableNotFound({ name: 'ResourceNotFoundException' })).toBe(false)
    const loop: Error = new Error('loop')
    loop.cause = loop
    expect(isTableNotFound(loop)).toBe(false)
  })

  it("names the table and where it was looked for, in npm run query's words", async () => {
    const region = (answer: Promise<string>) => ({ config: { region: () => answer } })
    expect(tableNotFoundLine('t', 'http://127.0.0.1:8000')).toBe(
      'Table "t" not found at http://127.0.0.1:8000. Set TABLE_NAME or --table to its name.',
    )
    expect(await tableLocation(region(Promise.resolve('x')), 'http://e:1')).toBe('http://e:1')
    expect(await tableLocation(region(Promise.resolve('ap-southeast-1')), undefined)).toBe(
      'DynamoDB in ap-southeast-1',
    )
    expect(await tableLocation(region(Promise.reject(new Error('no region'))), undefined)).toBe(
      'DynamoDB (no AWS region configured)',
    )
  })
})

describe('replay of a table that does not exist', () => {
  const dynamodb = mockClient(DynamoDBClient)
  const client = new DynamoDBClient({})
  beforeEach(() => dynamodb.reset())

  it("fails with DynamoDB's answer as the cause, so the missing table is named", async () => {
    dynamodb.on(BatchWriteItemCommand).rejects(notFound())
    const body = legacyCallbackWith(2, 'CreateSnapshotByTimeOffset-missing-table')
    const failure = await replay(client, 't', { kind: 'callback', body, source: 'file:1' }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toMatchObject({ message: '2 result(s) not stored' })
    expect(isTableNotFound(failure)).toBe(true)
  })

  it('does not take another failure for a missing table', async () => {
    dynamodb
      .on(BatchWriteItemCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
    const body = legacyCallbackWith(1, 'CreateSnapshotByTimeOffset-denied')
    const failure = await replay(client, 't', { kind: 'callback', body, source: 'file:1' }).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(Error)
    expect(isTableNotFound(failure)).toBe(false)
  })
})
