/**
 * `npm run replay`: writes results that were not stored to the table, from a file of log lines or
 * from the fallback dead-letter queue. Usage in lib/operator/replay-cli.ts
 * (`npm run replay -- --help`).
 */

import { readFile } from 'node:fs/promises'
import { EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs'
import {
  drainDeadLetterQueue,
  extractReplayables,
  type QueueDepth,
  queueDepth,
  REPLAY_VISIBILITY_SECONDS,
  replay,
} from '../lib/durability/replay'
import { eventBridgePublisher } from '../lib/forward/event-publisher'
import { httpDeliveryPublisher } from '../lib/forward/http-delivery'
import { extractLoggedEvents } from '../lib/forward/logged-events'
import { readQueueDefinitions } from '../lib/local/queue-definitions'
import { operatorLog, terminalProgress } from '../lib/operator/progress'
import {
  describeFailure,
  parseReplayArgs,
  REPLAY_USAGE,
  type ReplayRequest,
  replayProgressLine,
} from '../lib/operator/replay-cli'
import { isTableNotFound, tableLocation, tableNotFoundLine } from '../lib/operator/table-not-found'
import { forTerminal } from '../lib/operator/terminal-text'
import { readCommandLine } from '../lib/operator/usage-error'
import { createOperatorClient, operatorClientConfig } from '../lib/runtime/dynamodb-client'
import { registerEnvironmentSecrets } from '../lib/runtime/redaction'

// Every secret of the environment (FORWARD_URL's credentials) is replaced in every line.
registerEnvironmentSecrets(process.env)
// stdout has a line per entry, for the record; on a terminal, stderr says how far a long run is.
const showProgress = terminalProgress()

async function replayFile(request: ReplayRequest, file: string): Promise<number> {
  const { tableName, endpoint, resultTtlDays } = request
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    console.error(`Could not read ${forTerminal(file)}: ${describeFailure(error)}`)
    return 1
  }
  const shown = forTerminal(file)
  const { entries, damaged, skipped, quarantinePieces } = extractReplayables(text, file)
  const events = extractLoggedEvents(text)
  console.log(
    `${entries.length} callback(s) or result set(s) found in ${shown}; table ${tableName}`,
  )
  // Named by line, never quoted: what was received may hold anything.
  for (const { source, problem } of damaged) console.error(`${forTerminal(source)}: ${problem}`)
  if (quarantinePieces > 0) {
    console.log(
      `${quarantinePieces} line(s) of rejected callbacks skipped: npm run quarantine -- --import ${shown} puts them back`,
    )
  }
  let failed = 0
  if (entries.length > 0) {
    const client = createOperatorClient(endpoint, process.env)
    try {
      for (const [i, entry] of entries.entries()) {
        const label = `[${i + 1}/${entries.length}] ${forTerminal(entry.source)}`
        try {
          console.log(
            `${label}: stored ${await replay(client, tableName, entry, { resultTtlDays })}`,
          )
        } catch (error) {
          // Every other entry would fail the same way: one line says which table is missing.
          if (isTableNotFound(error)) {
            console.error(tableNotFoundLine(tableName, await tableLocation(client, endpoint)))
            return 1
          }
          failed++
          console.error(`${label}: FAILED ${describeFailure(error)}`)
        }
        showProgress(() => replayProgressLine(i + 1, entries.length))
      }
    } finally {
      client.destroy()
    }
  }
  console.log(
    `done: ${entries.length - failed} replayed, ${failed} failed, ${damaged.length} damaged, ${skipped} skipped`,
  )
  // Events the functions could only log go back on the bus they were meant for.
  if (events.entries.length + events.incomplete.length > 0) {
    // Only incomplete events: nothing to publish, and no bus needed to say so.
    if (events.entries.length > 0) {
      try {
        console.log(`${await publishEvents(events.entries, request)} event(s) put on the bus again`)
      } catch (error) {
        failed++
        console.error(`events: FAILED ${describeFailure(error)}`)
      }
    }
    for (const id of events.incomplete) {
      console.error(forTerminal(`event ${id}: a piece is missing from ${file}`))
    }
  }
  // Named by line, never quoted, as the damaged callbacks are.
  for (const line of events.damaged) {
    console.error(`${shown}:${line}: an event piece that cannot be read`)
  }
  const nothing =
    entries.length === 0 &&
    events.entries.length + events.incomplete.length + events.damaged.length === 0
  if (nothing) {
    console.error(
      `Nothing to replay in ${shown}: no marker line, callback body or fallback message that can be used`,
    )
  }
  const unusable = damaged.length + events.incomplete.length + events.damaged.length
  return failed === 0 && unusable === 0 && !nothing ? 0 : 1
}

/**
 * Puts events the functions could not put on the bus there: AWS's EventBridge, as the SDK finds
 * it; with --local, FORWARD_URL's receiver (each taken before it counts), and never AWS.
 * @throws when they could not all be put back, saying why
 */
async function publishEvents(
  entries: PutEventsRequestEntry[],
  { events }: ReplayRequest,
): Promise<number> {
  if (events.to === 'none') {
    throw new Error('the local stack has no bus: set FORWARD_URL to deliver them to its receiver')
  }
  if (events.to === 'receiver') {
    // Each refusal and retry on stderr, FORWARD_URL's credentials replaced: a receiver that
    // refuses says why. The count below says what was taken.
    const log = operatorLog(() => {})
    await httpDeliveryPublisher(events.url, log, { awaitReceiver: true }).publish(entries)
    return entries.length
  }
  const client = new EventBridgeClient({})
  try {
    await eventBridgePublisher(client).publish(entries)
    return entries.length
  } finally {
    client.destroy()
  }
}

async function drain(request: ReplayRequest, queueUrl: string | undefined): Promise<number> {
  const { tableName, endpoint, sqsEndpoint, resultTtlDays } = request
  const sqs = new SQSClient(operatorClientConfig(sqsEndpoint, process.env))
  const client = createOperatorClient(endpoint, process.env)
  try {
    // The local stack's dead-letter queue, by the name serverless.yml gives it on stage local.
    const url =
      queueUrl ??
      (
        await sqs.send(
          new GetQueueUrlCommand({
            QueueName: (await readQueueDefinitions('local')).deadLetter.name,
          }),
        )
      ).QueueUrl ??
      ''
    console.log(`draining ${url} into table ${tableName}`)
    let n = 0
    const { written, failed } = await drainDeadLetterQueue(
      sqs,
      url,
      (message) =>
        'entries' in message
          ? publishEvents(message.entries, request)
          : replay(client, tableName, { kind: 'results', message, source: url }, { resultTtlDays }),
      (message, outcome) => {
        console.log(
          `[${++n}] ${forTerminal(message.MessageId ?? '')}: ${outcome.error ? `FAILED ${describeFailure(outcome.error)}` : `stored ${outcome.stored}`}`,
        )
        showProgress(() => replayProgressLine(n))
      },
      // Every other message would fail the same way: it stays for a run with the right table.
      { stopOn: isTableNotFound },
    )
    console.log(`done: ${written} message(s) written and deleted, ${failed} failed`)
    // A message that failed, here or in a run just before, is invisible, not gone.
    let left: QueueDepth
    try {
      left = await queueDepth(sqs, url)
    } catch (error) {
      console.error(`Could not read what is left in ${url}: ${describeFailure(error)}`)
      return 1
    }
    const comeBack =
      left.inFlight > 0
        ? ` (they come back within ${REPLAY_VISIBILITY_SECONDS / 60} minutes, when their visibility timeout ends: run it again then)`
        : ''
    console.log(`left in the queue: ${left.waiting} waiting, ${left.inFlight} in flight${comeBack}`)
    return failed === 0 && left.inFlight === 0 ? 0 : 1
  } catch (error) {
    if (isTableNotFound(error)) {
      console.error(tableNotFoundLine(tableName, await tableLocation(client, endpoint)))
      return 1
    }
    const where = queueUrl ?? `the local stack's SQS at ${sqsEndpoint}`
    console.error(`Could not drain ${where}: ${describeFailure(error)}`)
    return 1
  } finally {
    sqs.destroy()
    client.destroy()
  }
}

async function main(): Promise<number> {
  const commandLine = readCommandLine(
    () => parseReplayArgs(process.argv.slice(2), process.env),
    REPLAY_USAGE,
  )
  if ('exitCode' in commandLine) return commandLine.exitCode
  const { request } = commandLine
  const { source } = request
  return source.kind === 'file' ? replayFile(request, source.file) : drain(request, source.queueUrl)
}

process.exitCode = await main()
