import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import type { FallbackMessage } from '../../lib/durability/fallback-message'
import { drainDeadLetterQueue } from '../../lib/durability/replay'
import { toUnpublishedMessages } from '../../lib/durability/unpublished-events'
import { DLQ_URL, fallbackBody } from '../support/dead-letter-messages'

const QUEUE = DLQ_URL
const sqs = mockClient(SQSClient)
const body = fallbackBody
const message = (id: string, text: string) => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: text,
})

beforeEach(() => sqs.reset())

describe('drainDeadLetterQueue', () => {
  it('writes every message, deletes only those written, and stops when the queue is empty', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('a', body('task-a')), message('b', 'not json')] })
      .resolvesOnce({ Messages: [message('c', body('task-c')), message('b', 'not json')] })
      .resolves({})
    const written: FallbackMessage[] = []

    const outcome = await drainDeadLetterQueue(new SQSClient({}), QUEUE, async (m) => {
      if (!('results' in m)) throw new Error('not results')
      written.push(m)
      return m.results.length
    })

    expect(outcome).toStrictEqual({ written: 2, failed: 1 })
    expect(written.map((m) => m.vodTaskId)).toStrictEqual(['task-a', 'task-c'])
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input)).toStrictEqual([
      { QueueUrl: QUEUE, ReceiptHandle: 'rh-a' },
      { QueueUrl: QUEUE, ReceiptHandle: 'rh-c' },
    ])
  })

  it('hands a message of events the bus did not take to be published, as it was queued', async () => {
    const entry = { Source: 'vod-snapshots', DetailType: 'FileDeleted', Detail: '{"a":1}' }
    const [events] = toUnpublishedMessages([entry])
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('e', JSON.stringify(events))] })
      .resolves({})
    const handed: unknown[] = []
    const outcome = await drainDeadLetterQueue(new SQSClient({}), QUEUE, async (m) => {
      handed.push(m)
      return 1
    })
    expect(outcome).toStrictEqual({ written: 1, failed: 0 })
    expect(handed).toStrictEqual([{ kind: 'vod-snapshots/unpublished-events', entries: [entry] }])
  })

  it('keeps a message whose write failed in the queue', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('a', body('task-a'))] })
      .resolves({})
    const outcome = await drainDeadLetterQueue(new SQSClient({}), QUEUE, async () => {
      throw new Error('throttled')
    })
    expect(outcome).toStrictEqual({ written: 0, failed: 1 })
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0)
  })
})
