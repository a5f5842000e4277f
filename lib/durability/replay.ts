import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import { InvalidCallbackError } from '../events/parse-callback'
import { handleVodEvent, replayTiming, type VodEventInput } from '../intake/handle-vod-event'
import { MAX_READ_BODY_BYTES } from '../receive/answer-callback'
import { readKeptBody } from '../receive/json-body'
import { isPlainObject, parseJsonOrUndefined } from '../runtime/json'
import { noMetrics, quietLogger } from '../runtime/log'
import {
  type FallbackMessage,
  parseFallbackMessage,
  UNSTORED_CALLBACK_MARKER,
} from './fallback-message'
import { parseUnpublishedEvents, type UnpublishedEvents } from './unpublished-events'

/** Something that can be written to the table again. */
export type Replayable =
  | { kind: 'callback'; body: unknown; receivedAt?: string; source: string }
  | { kind: 'results'; message: FallbackMessage; source: string }

/** The kind of the fallback messages: a line that names it is one of ours. */
const FALLBACK_KIND = 'vod-snapshots/unstored-results'

/** What one JSON value of a file is to a replay. */
type Recognised =
  | { kind: 'replayable'; entry: Replayable }
  /** Ours, but it cannot be used: what is wrong, in words that quote nothing of it. */
  | { kind: 'damaged'; problem: string }
  /** A piece of an event the functions could not publish: `extractLoggedEvents` reads those. */
  | { kind: 'event' }
  /** A piece of a rejected callback: `npm run quarantine -- --import` puts those back. */
  | { kind: 'quarantine' }
  /** Nothing of ours: another log line, any other JSON. */
  | { kind: 'other' }

const OTHER: Recognised = { kind: 'other' }
const damaged = (problem: string): Recognised => ({ kind: 'damaged', problem })

/** The problems {@link extractReplayables} names, one per unusable line. */
const DAMAGED = {
  json: 'a marker line whose JSON is damaged',
  body: 'a marker line whose body is not JSON',
  fallback: 'a marker line whose fallback message is not valid',
  empty: 'a marker line with neither a body nor a fallback message',
  message: 'a fallback message that is not valid',
} as const

/** Whether a text names one of our markers: a line that does is ours, whatever else it holds. */
const namesMarker = (text: string) =>
  text.includes(UNSTORED_CALLBACK_MARKER) || text.includes(FALLBACK_KIND)

/** The JSON value of a line from its first `{` (text before it is CloudWatch's time and ID). */
const parseJsonFrom = (text: string): { value: unknown } | 'none' | 'damaged' => {
  const start = text.indexOf('{')
  if (start < 0) return 'none'
  try {
    return { value: JSON.parse(text.slice(start)) }
  } catch {
    return 'damaged'
  }
}

const parseJson = (text: string): { value: unknown } | undefined => {
  try {
    return { value: JSON.parse(text) }
  } catch {
    return undefined
  }
}

const parseFallback = (value: unknown): FallbackMessage | undefined => {
  try {
    return parseFallbackMessage(JSON.stringify(value))
  } catch {
    return undefined
  }
}

function readLoggedBody(text: string): { value: unknown } | undefined {
  const read = readKeptBody({ body: text }, MAX_READ_BODY_BYTES)
  return 'parsed' in read ? { value: read.parsed } : undefined
}

/** Recognises one JSON value: a marker log line (raw or wrapped by Lambda), a body or a message. */
function recognise(value: unknown, source: string): Recognised {
  if (!isPlainObject(value)) return OTHER
  const record = value
  // Lambda's JSON log format wraps our line as a string in `message`.
  if (typeof record.message === 'string' && record.message.startsWith('{')) {
    const inner = parseJson(record.message)
    if (inner) return recognise(inner.value, source)
    return namesMarker(record.message) ? damaged(DAMAGED.json) : OTHER
  }
  if (record.message === UNSTORED_CALLBACK_MARKER) {
    if (record.reason === 'event not published') return { kind: 'event' }
    if (record.reason === 'quarantine failed') return { kind: 'quarantine' }
    if (record.body !== undefined) {
      // Read as the front door reads a body (up to what Lambda passes): a logged body it would
      // refuse for what it holds is not replayed.
      const body = typeof record.body === 'string' ? readLoggedBody(record.body) : undefined
      if (!body) return damaged(DAMAGED.body)
      const receivedAt = typeof record.receivedAt === 'string' ? record.receivedAt : undefined
      const entry: Replayable = { kind: 'callback', body: body.value, receivedAt, source }
      return { kind: 'replayable', entry }
    }
    if (record.fallback !== undefined) {
      const message = parseFallback(record.fallback)
      if (!message) return damaged(DAMAGED.fallback)
      return { kind: 'replayable', entry: { kind: 'results', message, source } }
    }
    return damaged(DAMAGED.empty)
  }
  if (record.kind === FALLBACK_KIND) {
    const message = parseFallback(record)
    if (!message) return damaged(DAMAGED.message)
    return { kind: 'replayable', entry: { kind: 'results', message, source } }
  }
  // A log line of the functions may name an event type; a callback body has no log level.
  const isLogLine = typeof record.level === 'string' && typeof record.message === 'string'
  if (!isLogLine && ('eventType' in record || 'EventType' in record)) {
    return { kind: 'replayable', entry: { kind: 'callback', body: record, source } }
  }
  return OTHER
}

/** A line, or the whole file, that holds something of ours that cannot be replayed. */
interface DamagedLine {
  /** `<name>:<line>`, or `<name>` for a file that is one JSON document. */
  source: string
  /** What is wrong, in words that quote nothing of what was received. */
  problem: string
}

/** What a file holds for a replay. */
export interface Extraction {
  /** What can be written to the table again, in the order of the file. */
  entries: Replayable[]
  /** Lines of ours that cannot be used: a cut or damaged marker line, a body that is not JSON. */
  damaged: DamagedLine[]
  /** Lines that hold nothing to replay: blank lines, other log lines, quarantine pieces. */
  skipped: number
  /** Of the skipped lines, the pieces of rejected callbacks, for `npm run quarantine -- --import`. */
  quarantinePieces: number
}

/**
 * Finds what can be replayed in a file: one callback body, or lines that each hold a marker log
 * line (as CloudWatch shows or exports it: text before the JSON is skipped), a callback body or
 * a fallback message. A line that names a marker but cannot be used is reported as damaged, by
 * its line number; other lines are counted as skipped. The pieces of events the functions could
 * not publish are left to `extractLoggedEvents`, and counted in neither.
 */
export function extractReplayables(text: string, name = 'input'): Extraction {
  const extraction: Extraction = { entries: [], damaged: [], skipped: 0, quarantinePieces: 0 }
  const whole = parseJson(text)
  if (whole) {
    const found = recognise(whole.value, name)
    if (found.kind === 'replayable') return { ...extraction, entries: [found.entry] }
    if (found.kind === 'damaged') {
      return { ...extraction, damaged: [{ source: name, problem: found.problem }] }
    }
    // Not one document of ours: read it line by line
  }
  // A last line break ends the last line: it does not start a blank one.
  const lines = text.split(/\r?\n/)
  if (lines.length > 1 && lines.at(-1) === '') lines.pop()
  for (const [i, line] of lines.entries()) {
    const source = `${name}:${i + 1}`
    const json = parseJsonFrom(line)
    const found: Recognised =
      typeof json === 'object'
        ? recognise(json.value, source)
        : json === 'damaged' && namesMarker(line)
          ? damaged(DAMAGED.json)
          : OTHER
    if (found.kind === 'replayable') extraction.entries.push(found.entry)
    else if (found.kind === 'damaged') extraction.damaged.push({ source, problem: found.problem })
    else if (found.kind !== 'event') extraction.skipped++
    if (found.kind === 'quarantine') extraction.quarantinePieces++
  }
  return extraction
}

/**
 * Writes one replayable to the table. Idempotent: items are puts by (vodTaskId, timeOffset).
 * Give the deployment's `resultTtlDays` so that a replayed item expires as a stored one would.
 * @returns the number of items written (0 for another event type)
 */
export async function replay(
  client: DynamoDBClient,
  tableName: string,
  entry: Replayable,
  { resultTtlDays, now = () => new Date() }: { resultTtlDays?: number; now?: () => Date } = {},
): Promise<number> {
  const input: VodEventInput =
    entry.kind === 'results'
      ? { kind: 'results', message: entry.message }
      : {
          kind: 'event',
          body: entry.body,
          text: () => JSON.stringify(entry.body),
          receivedAt: entry.receivedAt ?? now().toISOString(),
          id: entry.source,
        }
  const outcome = await handleVodEvent(
    input,
    {
      tableName,
      client,
      storeOptions: { resultTtlDays },
      logger: quietLogger,
      metrics: noMetrics,
    },
    replayTiming(),
  )
  switch (outcome.kind) {
    case 'stored':
      return outcome.stored
    case 'ignored':
      return 0
    case 'invalid':
      throw new InvalidCallbackError(outcome.problems)
    case 'unstored':
      // With DynamoDB's error as the cause: a missing table is named by what it says.
      throw new Error(`${outcome.unstored} result(s) not stored`, { cause: outcome.cause })
    default:
      throw new Error(`not stored (${outcome.kind})`)
  }
}

/** Progress of a dead-letter queue drain, one call per message. */
export type DrainProgress = (
  message: Message,
  outcome: { stored?: number; error?: unknown },
) => void

/** How long a message the replay received stays invisible: a failed one is back after it. */
export const REPLAY_VISIBILITY_SECONDS = 120

/**
 * Receives every message of the dead-letter queue, writes its results, and deletes it once
 * written. A message that fails stays in the queue, invisible until the visibility timeout of
 * its receive ({@link REPLAY_VISIBILITY_SECONDS} s) ends. Stops at the first empty receive.
 *
 * When a write fails with an error `stopOn` accepts (one every write would fail with, such as a
 * missing table), the drain stops: that message and those received with it that were not dealt
 * with yet are made visible again at once (as far as SQS lets), and the error is thrown.
 *
 * @returns how many messages were written and how many failed
 * @throws the error `stopOn` accepted, or SQS's
 */
export async function drainDeadLetterQueue(
  sqs: SQSClient,
  queueUrl: string,
  /** Writes a message's results, or puts its events on the bus; the count it dealt with. */
  write: (message: FallbackMessage | UnpublishedEvents) => Promise<number>,
  progress: DrainProgress = () => {},
  { stopOn = () => false }: { stopOn?: (error: unknown) => boolean } = {},
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
        VisibilityTimeout: REPLAY_VISIBILITY_SECONDS,
      }),
    )
    // A failed message comes back once its visibility ends: one pass sees each message once.
    const fresh = Messages.filter((message) => !seen.has(message.MessageId ?? ''))
    if (fresh.length === 0) return { written, failed }
    for (const [i, message] of fresh.entries()) {
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
        if (stopOn(error)) {
          await release(sqs, queueUrl, fresh.slice(i))
          throw error
        }
        failed++
        progress(message, { error })
      }
    }
  }
}

/** Makes received messages visible again at once; one SQS refuses to release stays invisible. */
async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[]) {
  for (const { ReceiptHandle } of messages) {
    try {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      )
    } catch {
      // It comes back when its visibility timeout ends.
    }
  }
}

/** How many messages a queue holds, as SQS counts them (approximately). */
export interface QueueDepth {
  /** Visible: the next receive may get them. */
  waiting: number
  /** Received and neither deleted nor back yet: they come back when their visibility ends. */
  inFlight: number
}

/**
 * What is left in a queue: GetQueueAttributes' ApproximateNumberOfMessages and
 * ApproximateNumberOfMessagesNotVisible.
 */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  )
  const count = (name: 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible') => {
    const value = Number(Attributes[name])
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`the queue did not say its ${name}`)
    }
    return value
  }
  return {
    waiting: count('ApproximateNumberOfMessages'),
    inFlight: count('ApproximateNumberOfMessagesNotVisible'),
  }
}
