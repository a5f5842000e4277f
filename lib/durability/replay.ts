import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { parseCallback } from '../events/parse-callback'
import { parseJsonOrUndefined } from '../runtime/json'
import { storeSnapshotResults, writeSnapshotItems } from '../store/snapshot-store'
import {
  type FallbackMessage,
  fallbackItems,
  parseFallbackMessage,
  UNSTORED_CALLBACK_MARKER,
} from './fallback-message'
import { parseUnpublishedEvents, type UnpublishedEvents } from './unpublished-events'

/** Something that can be written to the table again. */
export type Replayable =
  | { kind: 'callback'; body: unknown; receivedAt?: string; source: string }
  | { kind: 'results'; message: FallbackMessage; source: string }

const parseJsonFrom = (text: string): unknown => {
  const start = text.indexOf('{')
  return start < 0 ? undefined : JSON.parse(text.slice(start))
}

/** Recognises one JSON value: a marker log line (raw or wrapped by Lambda), a body or a message. */
function recognise(value: unknown, source: string): Replayable | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  // Lambda's JSON log format wraps our line as a string in `message`.
  if (typeof record.message === 'string' && record.message.startsWith('{')) {
    return recognise(JSON.parse(record.message), source)
  }
  if (record.message === UNSTORED_CALLBACK_MARKER) {
    if (typeof record.body === 'string') {
      const receivedAt = typeof record.receivedAt === 'string' ? record.receivedAt : undefined
      return { kind: 'callback', body: JSON.parse(record.body), receivedAt, source }
    }
    if (record.fallback) return recognise(record.fallback, source)
  }
  if (record.kind === 'vod-snapshots/unstored-results') {
    return { kind: 'results', message: parseFallbackMessage(JSON.stringify(record)), source }
  }
  if ('eventType' in record || 'EventType' in record)
    return { kind: 'callback', body: record, source }
  return undefined
}

/**
 * Finds what can be replayed in a file: one callback body, or lines that each hold a marker log
 * line (as CloudWatch shows or exports it: text before the JSON is skipped), a callback body or
 * a fallback message. Other lines are skipped.
 */
export function extractReplayables(text: string, name = 'input'): Replayable[] {
  try {
    const whole = recognise(JSON.parse(text), name)
    if (whole) return [whole]
  } catch {
    // not one JSON document: read it line by line
  }
  return text.split(/\r?\n/).flatMap((line, i) => {
    try {
      const found = recognise(parseJsonFrom(line), `${name}:${i + 1}`)
      return found ? [found] : []
    } catch {
      return []
    }
  })
}

/**
 * Writes one replayable to the table. Idempotent: items are puts by (vodTaskId, timeOffset).
 * Give the deployment's `resultTtlDays` so that a replayed item expires as a stored one would.
 * @returns the number of items written (0 for another event type)
 */
export async function replay(
  client: DynamoDBDocumentClient,
  tableName: string,
  entry: Replayable,
  { resultTtlDays, now = () => new Date() }: { resultTtlDays?: number; now?: () => Date } = {},
): Promise<number> {
  if (entry.kind === 'results') {
    return writeSnapshotItems(client, tableName, fallbackItems(entry.message), { resultTtlDays })
  }
  const callback = parseCallback(entry.body)
  if (callback.kind === 'ignored') return 0
  const receivedAt = entry.receivedAt ?? now().toISOString()
  return storeSnapshotResults(client, tableName, callback.results, receivedAt, { resultTtlDays })
}

/** Progress of a dead-letter queue drain, one call per message. */
export type DrainProgress = (
  message: Message,
  outcome: { stored?: number; error?: unknown },
) => void

/**
 * Receives every message of the dead-letter queue, writes its results, and deletes it once
 * written. A message that fails stays in the queue. Stops at the first empty receive.
 * @returns how many messages were written and how many failed
 */
export async function drainDeadLetterQueue(
  sqs: SQSClient,
  queueUrl: string,
  /** Writes a message's results, or puts its events on the bus; the count it dealt with. */
  write: (message: FallbackMessage | UnpublishedEvents) => Promise<number>,
  progress: DrainProgress = () => {},
): Promise<{ written: number; failed: number }> {
  let written = 0
  let failed = 0
  const seen = new Set<string>()
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 120,
      }),
    )
    // A failed message comes back once its visibility ends: one pass sees each message once.
    const fresh = Messages.filter((message) => !seen.has(message.MessageId ?? ''))
    if (fresh.length === 0) return { written, failed }
    for (const message of fresh) {
      seen.add(message.MessageId ?? '')
      try {
        const body = message.Body ?? ''
        const stored = await write(
          parseUnpublishedEvents(parseJsonOrUndefined(body)) ?? parseFallbackMessage(body),
        )
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        )
        written++
        progress(message, { stored })
      } catch (error) {
        failed++
        progress(message, { error })
      }
    }
  }
}
