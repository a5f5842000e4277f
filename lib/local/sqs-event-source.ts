import { randomUUID } from 'node:crypto'
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'

/** A function with an SQS event source, as the redrive is. */
export type SqsHandler = (
  event: SQSEvent,
  context: Context,
) => Promise<SQSBatchResponse | undefined>

export interface SqsEventSourceOptions {
  sqs: SQSClient
  queueUrl: string
  queueArn: string
  handler: SqsHandler
  functionName: string
  /** The event source's batchSize (at most 10, SQS's limit for one receive). */
  batchSize: number
  /** The function's timeout: what `context.getRemainingTimeInMillis()` counts down from. */
  timeoutSeconds: number
  /** How long one receive waits for a message. */
  waitTimeSeconds?: number
  /** Told of a receive, an invocation or a delete that failed; the poller carries on. */
  onError?: (error: unknown) => void
}

export interface SqsEventSource {
  /** Stops polling; resolves once the batch in hand, if any, is finished. */
  stop(): Promise<void>
}

const toRecord = (message: Message, queueArn: string): SQSRecord => ({
  messageId: message.MessageId ?? '',
  receiptHandle: message.ReceiptHandle ?? '',
  body: message.Body ?? '',
  attributes: message.Attributes as unknown as SQSRecord['attributes'],
  messageAttributes: {},
  md5OfBody: message.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
})

function lambdaContext(functionName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }
}

/**
 * Polls `queueUrl` the way Lambda's SQS event source does for a function that reports batch item
 * failures: receives up to `batchSize` messages, invokes `handler` with them, deletes those it
 * did not report, and leaves the reported ones (or the whole batch when the handler throws or
 * names a message not in the batch) to become visible again, so that the queue's RedrivePolicy
 * moves a message that keeps failing to its dead-letter queue. One batch at a time.
 */
export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const { sqs, queueUrl, queueArn, handler, batchSize, waitTimeSeconds = 1 } = options
  const onError = options.onError ?? (() => {})
  const stopping = new AbortController()

  async function pollOnce() {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: batchSize,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: stopping.signal },
    )
    if (Messages.length === 0) return
    const records = Messages.map((message) => toRecord(message, queueArn))
    let failed: Set<string>
    try {
      const response = await handler(
        { Records: records },
        lambdaContext(options.functionName, options.timeoutSeconds),
      )
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier))
      if ([...failed].some((id) => !records.some((r) => r.messageId === id))) {
        failed = new Set(records.map((r) => r.messageId))
      }
    } catch (error) {
      onError(error)
      return
    }
    const done = records.filter((record) => !failed.has(record.messageId))
    if (done.length === 0) return
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })),
      }),
    )
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await pollOnce()
      } catch (error) {
        if (stopping.signal.aborted) break
        onError(error)
        // The queue is unreachable: try again in a second rather than spin.
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    }
  })()

  return {
    async stop() {
      stopping.abort()
      await loop
    },
  }
}
