import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import type { FallbackQueue } from '../durability/fallback-queue'
import { type Quarantine, quarantineId } from '../durability/quarantine'
import type { EventFallbackQueue } from '../durability/unpublished-events'
import type { BodyStore } from '../forward/claim-check'
import type { EventPublisher } from '../forward/event-publisher'
import { createForwarder } from '../forward/forwarder'
import type { Config } from '../runtime/config'
import {
  functionLogger,
  functionMetrics,
  type Logger,
  type MetricsSink,
  redactingLogger,
} from '../runtime/log'
import { registerSecrets } from '../runtime/redaction'
import type { StoreOptions } from '../store/snapshot-store'
import {
  answerCallback,
  DEFAULT_BUDGET,
  MAX_BODY_BYTES,
  MAX_READ_BODY_BYTES,
} from './answer-callback'
import {
  callbackSignatureAuth,
  createSignatureCheck,
  readBeforeSignature,
} from './callback-signature'
import { createTokenCheck } from './callback-token'
import { callbackTokenAuth, errorLogging, parsedBodyLimit } from './http-middleware'
import { type ParsedBodyEvent, readBody } from './json-body'
import { quarantineRejected } from './quarantine-rejected'

export interface CallbackDependencies {
  config: Config
  client: DynamoDBClient
  fallback?: FallbackQueue
  /** Where authenticated callbacks answered 400, 413 or 422 are kept whole. */
  quarantine?: Quarantine
  /** Where events that store nothing, and announcements of stored results, are published. */
  forwarding?: {
    publisher: EventPublisher
    busName: string
    /** Events EventBridge did not take: the fallback queue, for the redrive. */
    fallback?: EventFallbackQueue
    /** Where a body over EventBridge's 256 KB is kept. */
    bodyStore?: BodyStore
    /** Forward the snapshot events too. */
    all: boolean
  }
  /** Where the lines go, before the handler redacts them (default: the functions' logger). */
  logger?: Logger
  metrics?: MetricsSink
  /** Middlewares run first: the request ID for the logger, the metrics flush. */
  observability?: middy.MiddlewareObj[]
  now?: () => Date
  storeOptions?: StoreOptions
  budget?: typeof DEFAULT_BUDGET
}

/**
 * The HTTP function: token -> (size up to what Lambda passes -> JSON -> signature, a 401 for
 * any failure, then the 1 MB size, when keys are configured; else 1 MB size -> JSON) ->
 * {@link answerCallback} (recognise, validate, normalise, store, answer); one error middleware
 * renders every failure, after an authenticated request answered 400, 413 or 422 is kept whole
 * in the quarantine.
 */
export function createCallbackHandler({
  config,
  client,
  fallback,
  quarantine,
  forwarding,
  logger,
  metrics = functionMetrics,
  observability = [],
  now = () => new Date(),
  storeOptions,
  budget = DEFAULT_BUDGET,
}: CallbackDependencies) {
  const secrets = [...config.callbackTokens, ...config.callbackSignKeys]
  // Every logger of the process redacts them: the forwarder's and the publisher's too.
  registerSecrets(secrets)
  // The one redaction of this handler's lines: a given `logger` may redact nothing, and the
  // functions' own logger already redacts.
  const log = logger ? redactingLogger(logger) : functionLogger
  const signatureCheck =
    config.callbackSignKeys.length > 0 ? createSignatureCheck(config.callbackSignKeys) : undefined
  // Token, then the signature (with keys), then everything else: with keys, a body that cannot
  // be read far enough to verify its signature is a 401 like a bad signature. It is read up to
  // what Lambda passes, so that a signed callback over 1 MB is a 413 that is kept.
  const reading = signatureCheck
    ? [
        readBeforeSignature([readBody(MAX_READ_BODY_BYTES)]),
        callbackSignatureAuth(signatureCheck, now),
        parsedBodyLimit(MAX_BODY_BYTES),
      ]
    : [readBody(MAX_BODY_BYTES)]
  const answerDeps = {
    tableName: config.tableName,
    client,
    fallback,
    logger: log,
    metrics,
    budget,
    storeOptions: { ...storeOptions, resultTtlDays: config.resultTtlDays },
    forwarding: forwarding && {
      forwarder: createForwarder({ ...forwarding, logger: log, metrics }),
      forwardAll: forwarding.all,
    },
  }
  // The 4-second budget counts from the request's arrival, before parsing a body of up to 1 MB
  // (6 MB with keys).
  const arrivals = new WeakMap<object, number>()
  const arrival: middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> = {
    before: (request) => {
      if (typeof request.event === 'object' && request.event !== null) {
        arrivals.set(request.event, performance.now())
      }
    },
  }
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(observability)
    .use(arrival)
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
    .use(reading)
    .handler((event, context) => {
      const receivedAt = now().toISOString()
      // The text as VOD sent it: what is forwarded, byte for byte.
      const { rawBody, requestContext } = event as unknown as ParsedBodyEvent
      // Lambda's request ID: serverless-offline gives every request the same API Gateway one.
      const id = quarantineId(receivedAt, context?.awsRequestId || requestContext?.requestId || '')
      const started = arrivals.get(event) ?? performance.now()
      return answerCallback(event.body, receivedAt, started, answerDeps, {
        text: rawBody,
        id,
      })
    })
}
