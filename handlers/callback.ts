import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { createTokenCheck } from '../lib/callback-token'
import { type Config, loadConfig } from '../lib/config'
import { bodySizeLimit, callbackTokenAuth, errorLogging, httpError } from '../lib/http-middleware'
import { consoleLogger, type Logger } from '../lib/log'
import { InvalidCallbackError, parseCallback } from '../lib/parse-callback'
import { type StoreOptions, storeSnapshotResults } from '../lib/snapshot-store'

/** Largest body accepted: a 1,000-result callback is about 120 KB. */
export const MAX_BODY_BYTES = 1024 * 1024

/** The marker of the log line that keeps a callback whose results could not be stored. */
export const UNSTORED_CALLBACK_MARKER = 'VOD_SNAPSHOTS_UNSTORED_CALLBACK'

export interface CallbackDependencies {
  config: Config
  client: DynamoDBDocumentClient
  logger?: Logger
  now?: () => Date
  storeOptions?: StoreOptions
}

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

/**
 * The HTTP function: token -> size -> JSON -> recognise, validate, normalise -> store -> answer.
 * Dependencies are passed in so tests can give it a mocked client and a fixed clock.
 */
export function createCallbackHandler({
  config,
  client,
  logger = consoleLogger,
  now = () => new Date(),
  storeOptions,
}: CallbackDependencies) {
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
        const receivedAt = now().toISOString()
        let callback: ReturnType<typeof parseCallback>
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
          const stored = await storeSnapshotResults(
            client,
            config.tableName,
            results,
            receivedAt,
            storeOptions,
          )
          logger.info('callback stored', { vodTaskId, format, results: results.length, stored })
          return json(200, { code: 0, stored })
        } catch (error) {
          // A 5xx is not retried by VOD: this line is what is left to replay the callback from.
          logger.error(UNSTORED_CALLBACK_MARKER, {
            vodTaskId,
            reason: error instanceof Error ? error.message : String(error),
            body: JSON.stringify(event.body),
          })
          throw error
        }
      })
  )
}

const config = loadConfig(process.env)

/** One client per container, built before the first callback arrives. */
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: config.dynamodbEndpoint,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
  }),
)

export const handler = createCallbackHandler({ config, client })
