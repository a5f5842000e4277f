import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { QueryCommand } from '@aws-sdk/client-dynamodb'
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import type { SQSEvent } from 'aws-lambda'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { toFallbackMessages } from '../../lib/durability/fallback-message'
import {
  createSnapshotsTable,
  type LocalDynamoDB,
  localClient,
  startDynalite,
} from '../../lib/local/local-dynamodb'
import { type LocalQueues, localSqsClient, startLocalQueues } from '../../lib/local/local-queues'
import { startLocalRedrive } from '../../lib/local/local-redrive'
import { readQueueDefinitions } from '../../lib/local/queue-definitions'
import { type SqsEventSource, startSqsEventSource } from '../../lib/local/sqs-event-source'
import { toSnapshotItem } from '../../lib/store/snapshot-item'
// Loaded before the redrive starts, as npm start loads it (through lib/local/local-ports.ts): the
// function must name its service and read its metrics settings in a module state of its own.
import '../../lib/runtime/log'

let queues: LocalQueues
let sqs: SQSClient
let source: SqsEventSource | undefined

beforeEach(async () => {
  queues = await startLocalQueues(await readQueueDefinitions('test'))
  sqs = localSqsClient(queues.endpoint)
})

afterEach(async () => {
  await source?.stop()
  source = undefined
  sqs.destroy()
  await queues.close()
})

const send = (...bodies: string[]) =>
  Promise.all(
    bodies.map((MessageBody) =>
      sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody })),
    ),
  )

const depth = async (QueueUrl: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  )
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  )
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Every invocation as [body, ApproximateReceiveCount] pairs, in order. */
const invocationsOf = (events: SQSEvent[]) =>
  events.map((event) => event.Records.map((r) => [r.body, r.attributes.ApproximateReceiveCount]))

describe('the local SQS event source on fauxqs', () => {
  it('creates the queues serverless.yml defines, with their redrive policy', async () => {
    expect(queues.queueUrl).toMatch(/\/000000000000\/vod-snapshots-test-fallback$/)
    expect(queues.deadLetterQueueUrl).toMatch(/\/000000000000\/vod-snapshots-test-fallback-dlq$/)
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queues.queueUrl, AttributeNames: ['All'] }),
    )
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '')).toStrictEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:vod-snapshots-test-fallback-dlq',
      maxReceiveCount: 5,
    })
    expect(Attributes).toMatchObject({ VisibilityTimeout: '1', MessageRetentionPeriod: '1209600' })
    expect((await readQueueDefinitions('test')).redrive).toStrictEqual({
      batchSize: 10,
      timeoutSeconds: 30,
    })
  })

  it('deletes what the handler wrote and redelivers a reported failure until the DLQ takes it', async () => {
    await send('a', 'bad', 'c')
    const events: SQSEvent[] = []
    const remaining: number[] = []
    source = startSqsEventSource({
      sqs,
      queueUrl: queues.queueUrl,
      queueArn: queues.queueArn,
      functionName: 'vod-snapshots-test-redrive',
      batchSize: 10,
      timeoutSeconds: 30,
      handler: async (event, context) => {
        events.push(event)
        remaining.push(context.getRemainingTimeInMillis())
        return {
          batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({
            itemIdentifier: r.messageId,
          })),
        }
      },
    })
    await waitFor(async () => (await depth(queues.deadLetterQueueUrl)) === 1)
    await source.stop()

    expect(invocationsOf(events)).toStrictEqual([
      [
        ['a', '1'],
        ['bad', '1'],
        ['c', '1'],
      ],
      [['bad', '2']],
      [['bad', '3']],
      [['bad', '4']],
      [['bad', '5']],
    ])
    expect(events[0]?.Records[0]).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queues.queueArn,
      awsRegion: 'us-east-1',
    })
    expect(remaining.every((ms) => ms > 29_000 && ms <= 30_000)).toBe(true)
    expect(await depth(queues.queueUrl)).toBe(0)
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues.deadLetterQueueUrl, MaxNumberOfMessages: 10 }),
    )
    expect(Messages.map((m) => m.Body)).toStrictEqual(['bad'])
  })

  it('leaves the whole batch in the queue when the handler throws', async () => {
    await send('a', 'b')
    const events: SQSEvent[] = []
    const errors: unknown[] = []
    source = startSqsEventSource({
      sqs,
      queueUrl: queues.queueUrl,
      queueArn: queues.queueArn,
      functionName: 'vod-snapshots-test-redrive',
      batchSize: 10,
      timeoutSeconds: 30,
      onError: (error) => errors.push(error),
      handler: async (event) => {
        events.push(event)
        if (events.length === 1) throw new Error('DynamoDB is down')
        return { batchItemFailures: [] }
      },
    })
    await waitFor(async () => events.length === 2 && (await depth(queues.queueUrl)) === 0)
    await source.stop()

    expect(invocationsOf(events)).toStrictEqual([
      [
        ['a', '1'],
        ['b', '1'],
      ],
      [
        ['a', '2'],
        ['b', '2'],
      ],
    ])
    expect(errors).toStrictEqual([new Error('DynamoDB is down')])
  })
})

describe('the local redrive', () => {
  const TABLE = 'vod-snapshots-local-redrive'
  const FUNCTION = 'vod-snapshots-test-redrive'
  const ownEnv = { ...process.env }
  let dynamodb: LocalDynamoDB
  let receiver: Server
  let forwardUrl = ''
  const received: string[] = []
  let stdout: string[] = []

  beforeAll(async () => {
    dynamodb = await startDynalite()
    await createSnapshotsTable(dynamodb.endpoint, TABLE)
    receiver = createServer(async (request, response) => {
      let body = ''
      for await (const chunk of request) body += chunk
      received.push(body)
      response.writeHead(200).end()
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    forwardUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/vod-events`
  })

  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve))
    await dynamodb?.close()
  })

  beforeEach(() => {
    stdout = []
    const write = process.stdout.write.bind(process.stdout)
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
      stdout.push(String(chunk))
      return write(chunk, ...(rest as []))
    })
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  const start = async () =>
    startLocalRedrive({
      queues,
      definitions: await readQueueDefinitions('test'),
      dynamodbEndpoint: dynamodb.endpoint,
      tableName: TABLE,
      functionName: FUNCTION,
      forwardUrl,
    })

  /** The JSON lines written to stdout. */
  const stdoutLines = (): Record<string, unknown>[] =>
    stdout
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)

  it("logs and counts a redriven message as the deployed function does, under the stage's service", async () => {
    const items = [0, 1000, 2000].map((timeOffset) =>
      toSnapshotItem(
        {
          vodTaskId: 'local-redrive-task',
          fileId: '14508071098244929440',
          definition: 10,
          timeOffset,
          status: 0,
        },
        '2026-11-24T03:00:00.000Z',
      ),
    )
    await send(JSON.stringify(toFallbackMessages(items)[0]))
    source = await start()
    await waitFor(async () =>
      stdoutLines().some((line) => line._aws !== undefined && 'ResultsRedriven' in line),
    )
    await waitFor(async () => (await depth(queues.queueUrl)) === 0)
    await source.stop()

    const client = localClient(dynamodb.endpoint)
    const { Count } = await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'vodTaskId = :task',
        ExpressionAttributeValues: { ':task': { S: 'local-redrive-task' } },
      }),
    )
    client.destroy()
    expect(Count).toBe(3)
    // The function's environment is its own, as in Lambda: this process's is as it was.
    expect({ ...process.env }).toStrictEqual(ownEnv)
    const lines = stdoutLines()
    expect(lines.find((line) => line.message === 'results redriven')).toMatchObject({
      level: 'INFO',
      service: 'vod-snapshots-test',
      // injectLambdaContext's keys: the handler ran inside the function's middy chain.
      function_name: FUNCTION,
      vodTaskId: 'local-redrive-task',
      stored: 3,
    })
    expect(lines.find((line) => line._aws !== undefined)).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'VodSnapshots',
            Dimensions: [['service']],
            Metrics: expect.arrayContaining([{ Name: 'ResultsRedriven', Unit: 'Count' }]),
          },
        ],
      },
      service: 'vod-snapshots-test',
      ResultsRedriven: 3,
    })
  })

  it('delivers queued events to FORWARD_URL, the local stand-in for the bus', async () => {
    const detail = JSON.stringify({ EventType: 'NewFileUpload', FileUploadEvent: { FileId: '1' } })
    await send(
      JSON.stringify({
        kind: 'vod-snapshots/unpublished-events',
        entries: [{ Source: 'vod-snapshots', DetailType: 'NewFileUpload', Detail: detail }],
      }),
    )
    source = await start()
    await waitFor(async () => received.length === 1 && (await depth(queues.queueUrl)) === 0)
    await source.stop()

    expect(received).toStrictEqual([detail])
    expect(stdoutLines().find((line) => line.message === 'events redriven')).toMatchObject({
      service: 'vod-snapshots-test',
      events: 1,
    })
  })
})
