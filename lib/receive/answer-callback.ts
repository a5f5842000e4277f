import { setMaxListeners } from 'node:events'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import type { FallbackQueue } from '../durability/fallback-queue'
import { keepUnstoredResults } from '../durability/keep-unstored'
import { InvalidCallbackError, type ParsedCallback, parseCallback } from '../events/parse-callback'
import {
  announceStored,
  type CallbackOrigin,
  type Forwarding,
  forwardIgnored,
} from '../forward/forward-callback'
import type { Logger, MetricsSink } from '../runtime/log'
import { type StoreOptions, storeSnapshotResults } from '../store/snapshot-store'
import { httpError } from './http-middleware'

/** Largest body accepted: a 1,000-result callback is about 120 KB. */
export const MAX_BODY_BYTES = 1024 * 1024

// An event type is echoed and logged only when it is a plain word, as VOD's are: anything else
// may be whatever the sender chose to put there, a secret included.
const PLAIN_EVENT_TYPE = /^[A-Za-z0-9]{1,64}$/
const WITHHELD_EVENT_TYPE = '(not a plain event name)'

/**
 * What answering takes after the queue gave up: splitting the results into log lines and
 * writing them. 32,000 results took 70-240 ms (tests/integration/fault-injection.test.ts); 25 µs
 * a result plus 150 ms leaves room for a loaded machine.
 */
export const answerReserveMs = (results: number): number => 150 + results * 0.025

/**
 * VOD waits 5 s and retries only on a timeout: the answer leaves within `answerMs` of the
 * request's arrival. DynamoDB has until `storeMs`, the fallback queue what is left once
 * {@link answerReserveMs} is kept back for logging the results.
 */
export const DEFAULT_BUDGET = { storeMs: 2500, answerMs: 4000 }

/** What answering one callback needs besides the callback. */
export interface AnswerDependencies {
  tableName: string
  client: DynamoDBDocumentClient
  fallback?: FallbackQueue
  logger: Logger
  metrics: MetricsSink
  storeOptions?: StoreOptions
  budget?: typeof DEFAULT_BUDGET
  /** The configured tokens and keys: an event type holding one is never echoed. */
  secrets?: readonly string[]
  /** Where events that store nothing, and announcements, are published. */
  forwarding?: Forwarding
}

// What answering keeps back from publishing an event, for the answer itself.
const PUBLISH_RESERVE_MS = 200

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

/**
 * The answer to one authenticated, parsed callback body: recognise, validate and normalise it,
 * store its results, and say what became of them. Results DynamoDB does not take before
 * `budget.storeMs` go to the fallback queue (202); if that fails too they are logged for replay.
 *
 * Other event types are forwarded unchanged and stored results announced, when `forwarding` is
 * set, within what is left of the budget.
 *
 * @param started `performance.now()` when the request arrived: the budget counts from there
 * @param origin the text VOD sent, for forwarding it unchanged
 * @throws {CallbackHttpError} 422 for a body that is not a valid callback
 * @throws {UnstoredResultsError} when the results could only be logged (answered 500)
 */
export async function answerCallback(
  body: unknown,
  receivedAt: string,
  started: number,
  deps: AnswerDependencies,
  origin?: CallbackOrigin,
): Promise<APIGatewayProxyStructuredResultV2> {
  const { tableName, client, fallback, logger, metrics, storeOptions, forwarding } = deps
  const budget = deps.budget ?? DEFAULT_BUDGET
  const timeLeft = () => budget.answerMs - (performance.now() - started) - PUBLISH_RESERVE_MS
  let callback: ParsedCallback
  try {
    callback = parseCallback(body)
  } catch (error) {
    if (!(error instanceof InvalidCallbackError)) throw error
    throw httpError(422, 'Invalid callback', error.problems)
  }

  if (callback.kind === 'ignored') {
    const echoable =
      PLAIN_EVENT_TYPE.test(callback.eventType) &&
      !deps.secrets?.some((secret) => callback.eventType.includes(secret))
    const eventType = echoable ? callback.eventType : WITHHELD_EVENT_TYPE
    const forwarded =
      forwarding && origin
        ? await forwardIgnored(forwarding, callback.eventType, origin, timeLeft())
        : undefined
    logger.info('callback ignored', {
      eventType,
      format: callback.format,
      ...(forwarded ? { forwarded } : {}),
    })
    metrics.addMetric('CallbacksIgnored', 'Count', 1)
    return json(200, { code: 0, ignored: eventType })
  }

  const { vodTaskId, format, eventType, results, unkeyedFailures } = callback
  if (unkeyedFailures > 0) {
    // A failed "10%" point has no offset to key an item by: this line and the metric are its record.
    logger.warn('failed screenshots without an offset', { vodTaskId, unkeyedFailures })
    metrics.addMetric('FailuresWithoutOffset', 'Count', unkeyedFailures)
  }
  // Validating a large body took part of the budget already.
  const deadline = AbortSignal.timeout(
    Math.max(0, Math.floor(budget.storeMs - (performance.now() - started))),
  )
  // Every request in flight listens on the deadline: 40 at once is not a leak.
  setMaxListeners(100, deadline)
  try {
    const stored = await storeSnapshotResults(client, tableName, results, receivedAt, {
      ...storeOptions,
      signal: deadline,
    })
    const announced = forwarding
      ? await announceStored(
          forwarding,
          { results, taskId: vodTaskId, eventType, receivedAt, count: stored },
          origin,
          timeLeft(),
        )
      : undefined
    const durationMs = Math.round(performance.now() - started)
    logger.info('callback stored', {
      vodTaskId,
      eventType,
      format,
      results: results.length,
      stored,
      durationMs,
      ...(announced ? { announced } : {}),
    })
    metrics.addMetric('ResultsStored', 'Count', stored)
    metrics.addMetric('StoreLatency', 'Milliseconds', durationMs)
    return json(200, { code: 0, stored })
  } catch (error) {
    const queueTimeMs =
      budget.answerMs - (performance.now() - started) - answerReserveMs(results.length)
    // With forwardAll the event itself goes on the bus, whatever became of its results.
    const forwarded =
      forwarding?.forwardAll && origin
        ? forwardIgnored(forwarding, eventType, origin, queueTimeMs)
        : undefined
    try {
      const kept = await keepUnstoredResults(
        { vodTaskId, receivedAt, body: origin?.text ?? body, error },
        { fallback, logger, metrics, queueTimeMs },
      )
      return json(202, { code: 0, ...kept })
    } finally {
      await forwarded
    }
  }
}
