import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import type { SQSEvent } from 'aws-lambda'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type LocalQueues, localSqsClient, startLocalQueues } from '../../lib/local/local-queues'
import { readQueueDefinitions } from '../../lib/local/queue-definitions'
import { type SqsEventSource, startSqsEventSource } from '../../lib/local/sqs-event-source'

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
