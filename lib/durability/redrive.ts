import { setMaxListeners } from 'node:events'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import {
  errorMessage,
  functionLogger,
  functionMetrics,
  type Logger,
  type MetricsSink,
} from '../runtime/log'
import { type StoreOptions, writeSnapshotItems } from '../store/snapshot-store'
import { fallbackItems, parseFallbackMessage } from './fallback-message'

export interface RedriveDependencies {
  tableName: string
  client: DynamoDBDocumentClient
  logger?: Logger
  metrics?: MetricsSink
  storeOptions?: StoreOptions
}

/**
 * The fallback queue's consumer: writes each message's results to the table and reports the
 * messages it could not write as batch item failures, so SQS delivers them again (and, after
 * the queue's maxReceiveCount, moves them to the dead-letter queue). Writes are idempotent puts.
 */
export function createRedriveHandler({
  tableName,
  client,
  logger = functionLogger,
  metrics = functionMetrics,
  storeOptions,
}: RedriveDependencies) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    // Stop a second before Lambda would: a message not written is reported, not lost.
    const deadline = AbortSignal.timeout(Math.max(0, context.getRemainingTimeInMillis() - 1000))
    setMaxListeners(100, deadline)
    const outcomes = await Promise.all(
      event.Records.map(async (record) => {
        try {
          const message = parseFallbackMessage(record.body)
          const stored = await writeSnapshotItems(client, tableName, fallbackItems(message), {
            maxAttempts: 10,
            ...storeOptions,
            signal: deadline,
          })
          logger.info('results redriven', { vodTaskId: message.vodTaskId, stored })
          metrics.addMetric('ResultsRedriven', 'Count', stored)
          return undefined
        } catch (error) {
          logger.error('redrive failed', {
            messageId: record.messageId,
            receiveCount: record.attributes.ApproximateReceiveCount,
            reason: errorMessage(error),
          })
          return { itemIdentifier: record.messageId }
        }
      }),
    )
    return { batchItemFailures: outcomes.filter((failure) => failure !== undefined) }
  }
}
