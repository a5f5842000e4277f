import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import type { FallbackQueue } from '../durability/fallback-queue'
import { knownVodEventType } from '../events/vod-event-types'
import {
  handleVodEvent,
  type RoadForwarding,
  type VodEventOutcome,
} from '../intake/handle-vod-event'
import { deadlineIn } from '../runtime/deadline'
import type { Logger, MetricsSink } from '../runtime/log'
import type { StoreOptions } from '../store/snapshot-store'
import { httpError } from './http-middleware'

/** Largest body accepted: a 1,000-result callback is about 120 KB. */
export const MAX_BODY_BYTES = 1024 * 1024

/**
 * Largest body read at all: Lambda passes at most 6 MB, so no kept body is larger. The 1 MB
 * above keeps a live answer within VOD's 5 seconds; it is not the callback's fault. So a
 * replay, which has no such wait, reads up to this, and a body refused for its size alone
 * (413) still has a way into the table; with a SignKey the front door reads up to this too,
 * so that such a body can prove it is VOD's and be kept.
 */
export const MAX_READ_BODY_BYTES = 6 * 1024 * 1024

// An event type is echoed and logged only when VOD documents it: anything else may be whatever
// the sender chose to put there, a secret included.
const WITHHELD_EVENT_TYPE = '(not an event type VOD documents)'

/**
 * What answering takes after the queue gave up: splitting the results into log lines and
 * writing them. 32,000 results took 70-240 ms (tests/integration/fault-injection.test.ts); 25 µs
 * a result plus 150 ms leaves room for a loaded machine, up to {@link MAX_ANSWER_RESERVE_MS}: a
 * larger reserve would leave the queue no time at all, and the queue is what keeps results
 * whole (120,000 results are logged in about 600 ms).
 */
export const answerReserveMs = (results: number): number =>
  Math.min(MAX_ANSWER_RESERVE_MS, 150 + results * 0.025)

/** The most the answer keeps back for logging. */
const MAX_ANSWER_RESERVE_MS = 1000

/**
 * The least the fallback queue gets: the store stops early enough to leave it this, so a
 * callback of any size reaches the queue when DynamoDB cannot take it all in time.
 */
const MIN_QUEUE_MS = 500

/**
 * VOD waits 5 s and retries only on a timeout: the answer leaves within `answerMs` of the
 * request's arrival. DynamoDB has until `storeMs`, the fallback queue what is left once
 * {@link answerReserveMs} is kept back for logging the results.
 */
export const DEFAULT_BUDGET = { storeMs: 2500, answerMs: 4000 }

/** What answering one callback needs besides the callback. */
export interface AnswerDependencies {
  tableName: string
  client: DynamoDBClient
  fallback?: FallbackQueue
  logger: Logger
  metrics: MetricsSink
  storeOptions?: StoreOptions
  budget?: typeof DEFAULT_BUDGET
  /** Where events that store nothing, and announcements, are published. */
  forwarding?: Omit<RoadForwarding, 'durable'>
}

// What answering keeps back from publishing an event, for the answer itself.
const PUBLISH_RESERVE_MS = 200

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

/**
 * The HTTP function's answer to one authenticated, parsed callback body: it takes the one road
 * ({@link handleVodEvent}) and says what became of it. Results DynamoDB does not take before
 * `budget.storeMs` go to the fallback queue (202); if that fails too they are logged for replay.
 *
 * @param started `performance.now()` when the request arrived: the budget counts from there
 * @param origin the text VOD sent and an ID for what is kept of it
 * @throws {CallbackHttpError} 422 for a body that is not a valid callback
 * @throws {UnstoredResultsError} when the results could only be logged (answered 500)
 */
export async function answerCallback(
  body: unknown,
  receivedAt: string,
  started: number,
  deps: AnswerDependencies,
  origin: { text: string; id: string },
): Promise<APIGatewayProxyStructuredResultV2> {
  const { logger, forwarding } = deps
  const budget = deps.budget ?? DEFAULT_BUDGET
  const elapsed = () => performance.now() - started
  // Validating a large body took part of the budget already; the queue always keeps its share.
  const storeUntil = Math.min(
    budget.storeMs,
    budget.answerMs - MAX_ANSWER_RESERVE_MS - MIN_QUEUE_MS,
  )
  const storeDeadline = deadlineIn(Math.max(0, Math.floor(storeUntil - elapsed())))
  const outcome = await handleVodEvent(
    { kind: 'event', body, text: () => origin.text, receivedAt, id: origin.id },
    {
      tableName: deps.tableName,
      client: deps.client,
      storeOptions: deps.storeOptions,
      logger,
      metrics: deps.metrics,
      forwarding: forwarding && { ...forwarding, durable: true },
      keepUnstored: {
        fallback: deps.fallback,
        queueTimeMs: (results) =>
          Math.max(MIN_QUEUE_MS, budget.answerMs - elapsed() - answerReserveMs(results)),
      },
    },
    { storeDeadline, publishMs: () => budget.answerMs - elapsed() - PUBLISH_RESERVE_MS },
  ).finally(() => storeDeadline.clear())
  return httpAnswer(outcome, deps, Math.round(elapsed()))
}

/** The HTTP answer to an outcome of the one road, and its log line. */
function httpAnswer(
  outcome: VodEventOutcome,
  { logger, metrics }: AnswerDependencies,
  durationMs: number,
): APIGatewayProxyStructuredResultV2 {
  switch (outcome.kind) {
    case 'invalid':
      throw httpError(422, 'Invalid callback', outcome.problems)
    case 'ignored': {
      const eventType = knownVodEventType(outcome.eventType) ?? WITHHELD_EVENT_TYPE
      const forwarded = outcome.passedOn === 'nowhere' ? undefined : outcome.passedOn
      logger.info('callback ignored', {
        eventType,
        format: outcome.format,
        ...(forwarded ? { forwarded } : {}),
      })
      return json(200, { code: 0, ignored: eventType })
    }
    case 'stored': {
      const { taskId: vodTaskId, eventType, format, results, stored, announced } = outcome
      logger.info('callback stored', {
        vodTaskId,
        eventType,
        format,
        results,
        stored,
        durationMs,
        ...(announced ? { announced } : {}),
      })
      metrics.addMetric('StoreLatency', 'Milliseconds', durationMs)
      return json(200, { code: 0, stored })
    }
    case 'queued':
      return json(202, { code: 0, stored: outcome.stored, queued: outcome.queued })
    case 'logged':
      throw outcome.error
    case 'unstored':
      // The HTTP function always keeps what it did not store: this outcome cannot come here.
      throw new Error(`results of ${outcome.taskId} neither stored nor kept`)
  }
}
