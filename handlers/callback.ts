import { setMaxListeners } from 'node:events'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { createTokenCheck } from '../lib/callback-token'
import { type Config, loadConfig } from '../lib/config'
import { createSnapshotsClient } from '../lib/dynamodb-client'
import { toFallbackMessages, UNSTORED_CALLBACK_MARKER } from '../lib/fallback-message'
import type { FallbackQueue } from '../lib/fallback-queue'
import { bodySizeLimit, callbackTokenAuth, errorLogging, httpError } from '../lib/http-middleware'
import { consoleLogger, type Logger } from '../lib/log'
import { InvalidCallbackError, type ParsedCallback, parseCallback } from '../lib/parse-callback'
import {
  type SnapshotItem,
  SnapshotStoreError,
  type StoreOptions,
  storeSnapshotResults,
} from '../lib/snapshot-store'

/** Largest body accepted: a 1,000-result callback is about 120 KB. */
export const MAX_BODY_BYTES = 1024 * 1024

export { UNSTORED_CALLBACK_MARKER } from '../lib/fallback-message'

/**
 * VOD waits 5 s and retries only on a timeout: the answer leaves within `answerMs`. DynamoDB has
 * `storeMs` of it, the fallback queue what is left.
 */
export const DEFAULT_BUDGET = { storeMs: 2500, answerMs: 4000 }

// A body up to this size is logged whole under the marker; a larger one as its unstored results.
const MAX_LOGGED_BODY_BYTES = 200_000

export interface CallbackDependencies {
  config: Config
  client: DynamoDBDocumentClient
  fallback?: FallbackQueue
  logger?: Logger
  now?: () => Date
  storeOptions?: StoreOptions
  budget?: typeof DEFAULT_BUDGET
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * The HTTP function: token -> size -> JSON -> recognise, validate, normalise -> store -> answer.
 * Results DynamoDB does not take before the deadline go to the fallback queue (202); if that
 * fails too they are logged under {@link UNSTORED_CALLBACK_MARKER} for replay (500).
 */
export function createCallbackHandler({
  config,
  client,
  fallback,
  logger = consoleLogger,
  now = () => new Date(),
  storeOptions,
  budget = DEFAULT_BUDGET,
}: CallbackDependencies) {
  async function keepUnstored(
    callback: Extract<ParsedCallback, { kind: 'snapshots' }>,
    body: unknown,
    error: unknown,
    started: number,
    receivedAt: string,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    const { vodTaskId } = callback
    const unstored: SnapshotItem[] = error instanceof SnapshotStoreError ? error.unstoredItems : []
    const stored = error instanceof SnapshotStoreError ? error.stored : 0
    const cause = (error instanceof SnapshotStoreError && error.cause) || error
    const remainingMs = Math.floor(budget.answerMs - (performance.now() - started) - 100)
    if (fallback && unstored.length > 0 && remainingMs > 0) {
      try {
        await fallback.send(unstored, AbortSignal.timeout(remainingMs))
        logger.warn('results queued', {
          vodTaskId,
          stored,
          queued: unstored.length,
          reason: reasonOf(cause),
        })
        return json(202, { code: 0, stored, queued: unstored.length })
      } catch (queueError) {
        logger.error('fallback queue failed', { vodTaskId, reason: reasonOf(queueError) })
      }
    }
    // A 5xx is not retried by VOD: these lines are what is left to replay the results from.
    const text = JSON.stringify(body)
    if (unstored.length === 0 || Buffer.byteLength(text) <= MAX_LOGGED_BODY_BYTES) {
      logger.error(UNSTORED_CALLBACK_MARKER, {
        vodTaskId,
        receivedAt,
        reason: reasonOf(cause),
        body: text,
      })
    } else {
      for (const message of toFallbackMessages(unstored)) {
        logger.error(UNSTORED_CALLBACK_MARKER, {
          vodTaskId,
          reason: reasonOf(cause),
          fallback: message,
        })
      }
    }
    throw new Error(`${unstored.length} result(s) of ${vodTaskId} kept only in the log`, { cause })
  }

  return (
    middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      .use(
        httpErrorHandler({
          logger: false,
          fallbackMessage: JSON.stringify({ code: 500, message: 'Internal Server Error' }),
        }),
      )
      .use(errorLogging(logger, config.callbackTokens))
      .use(callbackTokenAuth(createTokenCheck(config.callbackTokens)))
      .use(bodySizeLimit(MAX_BODY_BYTES))
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
          logger.info('callback ignored', {
            eventType: callback.eventType,
            format: callback.format,
          })
          return json(200, { code: 0, ignored: callback.eventType })
        }

        const { vodTaskId, format, results } = callback
        try {
          const deadline = AbortSignal.timeout(budget.storeMs)
          // Every request in flight listens on the deadline: 20 at once is not a leak.
          setMaxListeners(100, deadline)
          const stored = await storeSnapshotResults(client, config.tableName, results, receivedAt, {
            ...storeOptions,
            signal: deadline,
          })
          logger.info('callback stored', { vodTaskId, format, results: results.length, stored })
          return json(200, { code: 0, stored })
        } catch (error) {
          return keepUnstored(callback, event.body, error, started, receivedAt)
        }
      })
  )
}

const config = loadConfig(process.env)

/** One client per container, built before the first callback arrives. */
const client = createSnapshotsClient({ endpoint: config.dynamodbEndpoint })

/** The SQS client is loaded on the first fallback only: most containers never need it. */
function lazyFallbackQueue(queueUrl: string): FallbackQueue {
  let queue: Promise<FallbackQueue> | undefined
  return {
    async send(items, signal) {
      queue ??= Promise.all([import('@aws-sdk/client-sqs'), import('../lib/fallback-queue')]).then(
        ([{ SQSClient }, { sqsFallbackQueue }]) =>
          sqsFallbackQueue(
            new SQSClient({
              maxAttempts: 2,
              requestHandler: { connectionTimeout: 300, requestTimeout: 700 },
            }),
            queueUrl,
          ),
      )
      return (await queue).send(items, signal)
    },
  }
}

export const handler = createCallbackHandler({
  config,
  client,
  fallback: config.fallbackQueueUrl ? lazyFallbackQueue(config.fallbackQueueUrl) : undefined,
})
