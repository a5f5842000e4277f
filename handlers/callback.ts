import { setMaxListeners } from 'node:events'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { createTokenCheck } from '../lib/callback-token'
import { type Config, loadConfig } from '../lib/config'
import { createSnapshotsClient } from '../lib/dynamodb-client'
import type { FallbackQueue } from '../lib/fallback-queue'
import {
  bodyLimits,
  callbackTokenAuth,
  errorLogging,
  httpError,
  jsonParseErrors,
} from '../lib/http-middleware'
import { keepUnstoredResults } from '../lib/keep-unstored'
import { lazySqsFallbackQueue } from '../lib/lazy-fallback-queue'
import {
  functionLogger,
  functionMetrics,
  type Logger,
  type MetricsSink,
  powertoolsLogger,
} from '../lib/log'
import { InvalidCallbackError, type ParsedCallback, parseCallback } from '../lib/parse-callback'
import { type StoreOptions, storeSnapshotResults } from '../lib/snapshot-store'

export { UNSTORED_CALLBACK_MARKER } from '../lib/fallback-message'

/** Largest body accepted: a 1,000-result callback is about 120 KB. */
export const MAX_BODY_BYTES = 1024 * 1024

const MAX_ECHOED_EVENT_TYPE = 100

/**
 * VOD waits 5 s and retries only on a timeout: the answer leaves within `answerMs`. DynamoDB has
 * `storeMs` of it, the fallback queue what is left.
 */
export const DEFAULT_BUDGET = { storeMs: 2500, answerMs: 4000 }

export interface CallbackDependencies {
  config: Config
  client: DynamoDBDocumentClient
  fallback?: FallbackQueue
  logger?: Logger
  metrics?: MetricsSink
  /** Middlewares run first: the request ID for the logger, the metrics flush. */
  observability?: middy.MiddlewareObj[]
  now?: () => Date
  storeOptions?: StoreOptions
  budget?: typeof DEFAULT_BUDGET
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

/**
 * The HTTP function: token -> size -> JSON -> recognise, validate, normalise -> store -> answer.
 * Results DynamoDB does not take before the deadline go to the fallback queue (202); if that
 * fails too they are logged for replay (500).
 */
export function createCallbackHandler({
  config,
  client,
  fallback,
  logger = functionLogger,
  metrics = functionMetrics,
  observability = [],
  now = () => new Date(),
  storeOptions,
  budget = DEFAULT_BUDGET,
}: CallbackDependencies) {
  return (
    middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      .use(observability)
      .use(
        httpErrorHandler({
          logger: false,
          fallbackMessage: JSON.stringify({ code: 500, message: 'Internal Server Error' }),
        }),
      )
      .use(errorLogging(logger, metrics, config.callbackTokens))
      .use(jsonParseErrors())
      .use(callbackTokenAuth(createTokenCheck(config.callbackTokens)))
      .use(bodyLimits(MAX_BODY_BYTES))
      // VOD documents no Content-Type: parse whatever it says.
      .use(httpJsonBodyParser({ disableContentTypeCheck: true }))
      .handler(async (event) => {
        const started = performance.now()
        const receivedAt = now().toISOString()
        let callback: ParsedCallback
        try {
          callback = parseCallback(event.body)
        } catch (error) {
          if (!(error instanceof InvalidCallbackError)) throw error
          throw httpError(422, 'Invalid callback', error.problems)
        }

        if (callback.kind === 'ignored') {
          // Real event types are short names; a long one is echoed and logged only in part.
          const eventType = callback.eventType.slice(0, MAX_ECHOED_EVENT_TYPE)
          logger.info('callback ignored', { eventType, format: callback.format })
          metrics.addMetric('CallbacksIgnored', 'Count', 1)
          return json(200, { code: 0, ignored: eventType })
        }

        const { vodTaskId, format, results } = callback
        const deadline = AbortSignal.timeout(budget.storeMs)
        // Every request in flight listens on the deadline: 40 at once is not a leak.
        setMaxListeners(100, deadline)
        try {
          const stored = await storeSnapshotResults(client, config.tableName, results, receivedAt, {
            ...storeOptions,
            signal: deadline,
            resultTtlDays: config.resultTtlDays,
          })
          const durationMs = Math.round(performance.now() - started)
          logger.info('callback stored', {
            vodTaskId,
            format,
            results: results.length,
            stored,
            durationMs,
          })
          metrics.addMetric('ResultsStored', 'Count', stored)
          metrics.addMetric('StoreLatency', 'Milliseconds', durationMs)
          return json(200, { code: 0, stored })
        } catch (error) {
          const kept = await keepUnstoredResults(
            { vodTaskId, receivedAt, body: event.body, error },
            {
              fallback,
              logger,
              metrics,
              queueTimeMs: budget.answerMs - (performance.now() - started) - 100,
            },
          )
          return json(202, { code: 0, ...kept })
        }
      })
  )
}

const config = loadConfig(process.env)

export const handler = createCallbackHandler({
  config,
  // One client per container, built before the first callback arrives.
  client: createSnapshotsClient({ endpoint: config.dynamodbEndpoint }),
  fallback: config.fallbackQueueUrl ? lazySqsFallbackQueue(config.fallbackQueueUrl) : undefined,
  observability: [injectLambdaContext(powertoolsLogger), logMetrics(functionMetrics)],
})
