import { setMaxListeners } from 'node:events'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import middy from '@middy/core'
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import * as v from 'valibot'
import { ConfigError, DynamoDBEndpointSchema, ResultTtlDaysSchema } from '../lib/config'
import { createSnapshotsClient } from '../lib/dynamodb-client'
import { fallbackItems, parseFallbackMessage } from '../lib/fallback-message'
import {
  errorMessage,
  functionLogger,
  functionMetrics,
  type Logger,
  type MetricsSink,
  powertoolsLogger,
} from '../lib/log'
import { type StoreOptions, writeSnapshotItems } from '../lib/snapshot-store'
import { describeIssues } from '../lib/validation-issues'

/** Reads only what the redrive needs: it holds no callback token. */
const RedriveConfigSchema = v.object({
  TABLE_NAME: v.pipe(v.string(), v.nonEmpty('TABLE_NAME must not be empty')),
  RESULT_TTL_DAYS: ResultTtlDaysSchema,
  DYNAMODB_ENDPOINT: DynamoDBEndpointSchema,
})

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

const parsed = v.safeParse(RedriveConfigSchema, process.env)
if (!parsed.success) {
  throw new ConfigError(`Invalid configuration: ${describeIssues(parsed.issues).join('; ')}`)
}

const redrive = createRedriveHandler({
  tableName: parsed.output.TABLE_NAME,
  storeOptions: { resultTtlDays: parsed.output.RESULT_TTL_DAYS },
  client: createSnapshotsClient({
    endpoint: parsed.output.DYNAMODB_ENDPOINT,
    requestHandler: { connectionTimeout: 500, requestTimeout: 2000 },
  }),
})

export const handler = middy(redrive)
  .use(injectLambdaContext(powertoolsLogger))
  .use(logMetrics(functionMetrics))
