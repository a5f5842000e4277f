import { setMaxListeners } from 'node:events'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import type { Forwarder } from '../forward/forwarder'
import { handleVodEvent } from '../intake/handle-vod-event'
import { deadlineOf } from '../runtime/deadline'
import {
  errorMessage,
  functionLogger,
  functionMetrics,
  type Logger,
  type MetricsSink,
} from '../runtime/log'
import type { StoreOptions } from '../store/snapshot-store'
import { parseFallbackMessage } from './fallback-message'
import { parseUnpublishedEvents } from './unpublished-events'

/** What the redrive needs of the forwarding: to put queued events on the bus, and to announce. */
export interface RedriveForwarding {
  /** Puts entries on the bus; rejects unless every one is published. */
  publish(entries: PutEventsRequestEntry[], signal: AbortSignal): Promise<void>
  /** Announces the results the redrive wrote (SnapshotResultsStored). */
  forwarder: Forwarder
}

export interface RedriveDependencies {
  tableName: string
  client: DynamoDBClient
  logger?: Logger
  metrics?: MetricsSink
  storeOptions?: StoreOptions
  forwarding?: RedriveForwarding
}

// An announcement's share of a redrive batch's time.
const ANNOUNCE_MS = 2000

/**
 * The fallback queue's consumer: writes each message's results to the table and reports the
 * messages it could not write as batch item failures, so SQS delivers them again (and, after
 * the queue's maxReceiveCount, moves them to the dead-letter queue). Results take the one road
 * ({@link handleVodEvent}) from the store on: the same integrity rules, and an announcement as
 * the callback function makes. A message of events the bus did not take is put on the bus again.
 */
export function createRedriveHandler({
  tableName,
  client,
  logger = functionLogger,
  metrics = functionMetrics,
  storeOptions,
  forwarding,
}: RedriveDependencies) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    // Stop a second before Lambda would: a message not written is reported, not lost.
    const deadline = AbortSignal.timeout(Math.max(0, context.getRemainingTimeInMillis() - 1000))
    setMaxListeners(100, deadline)
    const storeDeadline = deadlineOf(deadline)
    const outcomes = await Promise.all(
      event.Records.map(async (record) => {
        try {
          const events = parseUnpublishedEvents(JSON.parse(record.body))
          if (events) {
            if (!forwarding) throw new Error('events queued, but no bus to put them on')
            await forwarding.publish(events.entries, deadline)
            logger.info('events redriven', { events: events.entries.length })
            metrics.addMetric('EventsPublished', 'Count', events.entries.length)
            return undefined
          }
          const message = parseFallbackMessage(record.body)
          const outcome = await handleVodEvent(
            { kind: 'results', message },
            {
              tableName,
              client,
              storeOptions: { maxAttempts: 10, ...storeOptions },
              logger,
              metrics,
              forwarding: forwarding && {
                forwarder: forwarding.forwarder,
                forwardAll: false,
                durable: true,
              },
            },
            { storeDeadline, publishMs: () => ANNOUNCE_MS },
          )
          if (outcome.kind !== 'stored') {
            throw new Error(outcome.kind === 'unstored' ? outcome.reason : outcome.kind)
          }
          logger.info('results redriven', { vodTaskId: message.vodTaskId, stored: outcome.stored })
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
