import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { mockClient } from 'aws-sdk-client-mock'
import { describe, expect, it } from 'vitest'
import { parseFallbackMessage } from '../../lib/durability/fallback-message'
import { lazySqsFallbackQueue } from '../../lib/durability/lazy-fallback-queue'
import { createSnapshotsClient } from '../../lib/runtime/dynamodb-client'
import { toSnapshotItem } from '../../lib/store/snapshot-item'

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/vod-snapshots-test-fallback'

describe('createSnapshotsClient', () => {
  it('leaves retries to the store and drops the SDK logger middleware', async () => {
    const client = createSnapshotsClient({ endpoint: 'http://127.0.0.1:1' })
    expect(await client.config.maxAttempts()).toBe(1)
    // The name the SDK gives it, as a default client shows.
    expect(new DynamoDBClient({}).middlewareStack.identify()).toContain(
      'loggerMiddleware - initialize',
    )
    expect(client.middlewareStack.identify()).not.toContain('loggerMiddleware - initialize')
  })
})

describe('lazySqsFallbackQueue', () => {
  it('loads the SQS client on the first send and sends one message per callback', async () => {
    const sqs = mockClient(SQSClient)
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' })
    const item = toSnapshotItem(
      {
        vodTaskId: 'task',
        fileId: '1',
        definition: 10,
        timeOffset: 0,
        status: 0,
        url: 'http://x/0.png',
      },
      '2026-11-24T03:00:00.000Z',
    )

    expect(await lazySqsFallbackQueue(QUEUE).send([item])).toBe(1)

    const [call] = sqs.commandCalls(SendMessageCommand)
    expect(call?.args[0].input.QueueUrl).toBe(QUEUE)
    expect(parseFallbackMessage(String(call?.args[0].input.MessageBody))).toStrictEqual({
      kind: 'vod-snapshots/unstored-results',
      vodTaskId: 'task',
      fileId: '1',
      definition: 10,
      eventType: 'CreateSnapshotByTimeOffsetComplete',
      receivedAt: '2026-11-24T03:00:00.000Z',
      results: [{ timeOffset: 0, status: 0, url: 'http://x/0.png' }],
    })
    sqs.restore()
  })

  it("sends to the local stage's SQS endpoint when one is configured", async () => {
    const sqs = mockClient(SQSClient)
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' })
    const item = toSnapshotItem(
      { vodTaskId: 'task', fileId: '1', definition: 10, timeOffset: 0, status: 0 },
      '2026-11-24T03:00:00.000Z',
    )

    await lazySqsFallbackQueue(QUEUE, 'http://127.0.0.1:9324').send([item])

    const [call] = sqs.commandCalls(SendMessageCommand)
    const client = call?.thisValue as SQSClient
    const endpoint = await client.config.endpoint?.()
    expect(endpoint).toMatchObject({ hostname: '127.0.0.1', port: 9324, protocol: 'http:' })
    sqs.restore()
  })
})
