import type { SQSClient } from '@aws-sdk/client-sqs'
import type { SnapshotItem } from '../store/snapshot-item'
import { toFallbackMessages } from './fallback-message'
import { type EventFallbackQueue, toUnpublishedMessages } from './unpublished-events'

/** Where results go when DynamoDB could not take them in time. */
export interface FallbackQueue {
  /**
   * Sends the items as one message per callback (more only for a very large one).
   * @returns the number of messages sent
   * @throws when any message could not be sent before the signal aborts
   */
  send(items: readonly SnapshotItem[], signal?: AbortSignal): Promise<number>
}

/** The SQS fallback queue at `queueUrl`: results DynamoDB and events EventBridge did not take. */
export function sqsFallbackQueue(
  client: SQSClient,
  queueUrl: string,
): FallbackQueue & EventFallbackQueue {
  const sendAll = async (messages: readonly unknown[], signal?: AbortSignal) => {
    // Imported here, not at the top: the functions' bundles leave the SQS client to the Lambda
    // runtime, and a static import would load it on every cold start.
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs')
    await Promise.all(
      messages.map((message) =>
        client.send(
          new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }),
          { abortSignal: signal },
        ),
      ),
    )
    return messages.length
  }
  return {
    send: (items, signal) => sendAll(toFallbackMessages(items), signal),
    sendEvents: async (entries, signal) => sendAll(toUnpublishedMessages(entries), signal),
  }
}
