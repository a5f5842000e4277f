import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import type { FallbackQueue } from '../lib/durability/fallback-queue'
import { lazySqsFallbackQueue } from '../lib/durability/lazy-fallback-queue'
import { lazyS3Quarantine } from '../lib/durability/lazy-s3-quarantine'
import type { Quarantine } from '../lib/durability/quarantine'
import { answerCallback, DEFAULT_BUDGET, MAX_BODY_BYTES } from '../lib/receive/answer-callback'
import { callbackSignatureAuth, createSignatureCheck } from '../lib/receive/callback-signature'
import { createTokenCheck } from '../lib/receive/callback-token'
import { bodyLimits, callbackTokenAuth, errorLogging } from '../lib/receive/http-middleware'
import { jsonBody } from '../lib/receive/json-body'
import { quarantineRejected } from '../lib/receive/quarantine-rejected'
import { type Config, loadConfig } from '../lib/runtime/config'
import { createSnapshotsClient } from '../lib/runtime/dynamodb-client'
import {
  functionLogger,
  functionMetrics,
  type Logger,
  type MetricsSink,
  powertoolsLogger,
  redactingLogger,
} from '../lib/runtime/log'
import { lazyS3Client } from '../lib/runtime/s3-client'
import type { StoreOptions } from '../lib/store/snapshot-store'

export interface CallbackDependencies {
  config: Config
  client: DynamoDBDocumentClient
  fallback?: FallbackQueue
  /** Where authenticated callbacks answered 400, 413 or 422 are kept whole. */
  quarantine?: Quarantine
  logger?: Logger
  metrics?: MetricsSink
  /** Middlewares run first: the request ID for the logger, the metrics flush. */
  observability?: middy.MiddlewareObj[]
  now?: () => Date
  storeOptions?: StoreOptions
  budget?: typeof DEFAULT_BUDGET
}

/**
 * The HTTP function: token -> size -> JSON -> signature (when keys are configured) ->
 * {@link answerCallback} (recognise, validate, normalise, store, answer); one error middleware
 * renders every failure, after an authenticated request answered 400, 413 or 422 is kept whole
 * in the quarantine.
 */
export function createCallbackHandler({
  config,
  client,
  fallback,
  quarantine,
  logger = functionLogger,
  metrics = functionMetrics,
  observability = [],
  now = () => new Date(),
  storeOptions,
  budget = DEFAULT_BUDGET,
}: CallbackDependencies) {
  const secrets = [...config.callbackTokens, ...config.callbackSignKeys]
  const log = redactingLogger(logger, secrets)
  const signature = config.callbackSignKeys.length > 0 && [
    callbackSignatureAuth(createSignatureCheck(config.callbackSignKeys), now),
  ]
  const answerDeps = {
    tableName: config.tableName,
    client,
    fallback,
    logger: log,
    metrics,
    budget,
    secrets,
    storeOptions: { ...storeOptions, resultTtlDays: config.resultTtlDays },
  }
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(observability)
    .use(
      httpErrorHandler({
        logger: false,
        fallbackMessage: JSON.stringify({ code: 500, message: 'Internal Server Error' }),
      }),
    )
    .use(errorLogging(log, metrics, secrets))
    .use(
      quarantineRejected({
        quarantine,
        logger: log,
        metrics,
        secrets,
        answerMs: budget.answerMs,
        now,
      }),
    )
    .use(callbackTokenAuth(createTokenCheck(config.callbackTokens)))
    .use(bodyLimits(MAX_BODY_BYTES))
    .use(jsonBody())
    .use(signature || [])
    .handler((event) =>
      answerCallback(event.body, now().toISOString(), performance.now(), answerDeps),
    )
}

const config = loadConfig(process.env)

export const handler = createCallbackHandler({
  config,
  // One client per container, built before the first callback arrives.
  client: createSnapshotsClient({ endpoint: config.dynamodbEndpoint }),
  fallback: config.fallbackQueueUrl
    ? lazySqsFallbackQueue(config.fallbackQueueUrl, config.sqsEndpoint)
    : undefined,
  quarantine: config.quarantineBucket
    ? lazyS3Quarantine(config.quarantineBucket, lazyS3Client(config.s3Endpoint))
    : undefined,
  observability: [injectLambdaContext(powertoolsLogger), logMetrics(functionMetrics)],
})
