/**
 * `npm run quarantine`: lists, shows, replays, deletes and imports the callbacks the function
 * rejected and kept. Usage in lib/operator/quarantine-cli.ts (`npm run quarantine -- --help`).
 */
import { readFile } from 'node:fs/promises'
import { EventBridgeClient } from '@aws-sdk/client-eventbridge'
import { type Quarantine, type QuarantineSummary, summarise } from '../lib/durability/quarantine'
import { extractLoggedQuarantine } from '../lib/durability/quarantine-import'
import {
  type QuarantineReplayOutcome,
  replayQuarantined,
} from '../lib/durability/quarantine-replay'
import { s3Quarantine } from '../lib/durability/s3-quarantine'
import { eventBridgePublisher } from '../lib/forward/event-publisher'
import { createForwarder } from '../lib/forward/forwarder'
import { createOperatorS3Client } from '../lib/operator/operator-s3-client'
import { terminalProgress } from '../lib/operator/progress'
import {
  confirm,
  deletionQuestion,
  describeReplayOutcome,
  filterSummaries,
  NO_TERMINAL_TO_CONFIRM,
  parseQuarantineArgs,
  QUARANTINE_USAGE,
  type QuarantineRequest,
  renderQuarantinedCallback,
  renderQuarantineList,
} from '../lib/operator/quarantine-cli'
import { replayProgressLine } from '../lib/operator/replay-cli'
import { forTerminal, jsonForTerminal } from '../lib/operator/terminal-text'
import { readCommandLine } from '../lib/operator/usage-error'
import { createOperatorClient } from '../lib/runtime/dynamodb-client'
import { errorMessage, noMetrics, quietLogger } from '../lib/runtime/log'

/** `text` is escaped by whoever made it; the JSON is escaped here. */
const print = (json: boolean, value: unknown, text: string) =>
  console.log(json ? jsonForTerminal(value) : text)

/**
 * With EVENT_BUS_NAME (the stack output EventBusName), a replayed body that is another event type
 * goes on the bus, as the function would have put it there; without, it stays in the quarantine.
 */
function forwardingOf(busName: string | undefined, client: EventBridgeClient) {
  if (!busName) return undefined
  const publisher = eventBridgePublisher(client)
  const forwarder = createForwarder({ busName, publisher, logger: quietLogger, metrics: noMetrics })
  return { forwarder, forwardAll: false }
}

async function replayAll(request: QuarantineRequest, quarantine: Quarantine, ids: string[]) {
  const client = createOperatorClient(request.dynamodbEndpoint, process.env)
  const events = new EventBridgeClient({})
  const forwarding = forwardingOf(process.env.EVENT_BUS_NAME || undefined, events)
  const outcomes: QuarantineReplayOutcome[] = []
  // On a terminal only: a log or a pipe gets nothing extra.
  const progress = terminalProgress()
  try {
    for (const id of ids) {
      const outcome = await replayQuarantined(quarantine, id, {
        tableName: request.tableName,
        client,
        storeOptions: { resultTtlDays: request.resultTtlDays },
        logger: quietLogger,
        metrics: noMetrics,
        forwarding,
      })
      outcomes.push(outcome)
      if (!request.json) console.log(describeReplayOutcome(outcome))
      // Not once all are done: the summary line says that.
      const done = outcomes.length
      if (done < ids.length) progress(() => replayProgressLine(done, ids.length))
    }
  } finally {
    client.destroy()
    events.destroy()
  }
  const left = outcomes.filter((o) => o.outcome !== 'stored' && o.outcome !== 'ignored').length
  print(request.json, outcomes, `done: ${outcomes.length - left} replayed, ${left} left`)
  return left === 0 ? 0 : 1
}

/** Removes the kept callbacks, once confirmed on the terminal unless --yes was given. */
async function remove(
  request: QuarantineRequest,
  quarantine: Quarantine,
  summaries: QuarantineSummary[],
) {
  if (
    !request.yes &&
    !(await confirm(deletionQuestion(summaries), process.stdin, process.stderr))
  ) {
    console.error('Nothing deleted.')
    return 1
  }
  for (const { id } of summaries) {
    await quarantine.remove(id)
    if (!request.json) console.log(`${forTerminal(id)}: deleted`)
  }
  const ids = summaries.map((s) => s.id)
  print(request.json, { deleted: ids }, `done: ${ids.length} deleted`)
  return 0
}

async function run(request: QuarantineRequest, quarantine: Quarantine): Promise<number> {
  const { action, json, filter } = request
  switch (action.kind) {
    case 'list': {
      const all = await quarantine.list()
      const summaries = filterSummaries(all, filter)
      print(json, summaries, renderQuarantineList(summaries, all.length))
      return 0
    }
    case 'delete': {
      const kept: QuarantineSummary[] = []
      for (const id of action.ids) {
        const entry = await quarantine.get(id)
        if (entry) kept.push(summarise(entry))
        else console.error(forTerminal(`${id} is not in the quarantine (bucket ${request.bucket})`))
      }
      if (kept.length < action.ids.length) {
        console.error('Nothing deleted.')
        return 1
      }
      return remove(request, quarantine, kept)
    }
    case 'delete-older': {
      const before = new Date(Date.now() - action.olderThanDays * 86_400_000).toISOString()
      const old = filterSummaries(await quarantine.list(), { ...filter, before })
      if (old.length === 0) {
        print(json, { deleted: [] }, `Nothing in the quarantine was received before ${before}.`)
        return 0
      }
      return remove(request, quarantine, old)
    }
    case 'show': {
      const entry = await quarantine.get(action.id)
      if (!entry) {
        console.error(
          forTerminal(`${action.id} is not in the quarantine (bucket ${request.bucket})`),
        )
        return 1
      }
      print(json, entry, renderQuarantinedCallback(entry))
      return 0
    }
    case 'replay':
      return replayAll(request, quarantine, [action.id])
    case 'replay-all':
      return replayAll(
        request,
        quarantine,
        filterSummaries(await quarantine.list(), filter).map((s) => s.id),
      )
    case 'import': {
      let text: string
      try {
        text = await readFile(action.file, 'utf8')
      } catch (error) {
        console.error(forTerminal(`Could not read ${action.file}: ${errorMessage(error)}`))
        return 1
      }
      const { entries, incomplete, damaged, skipped } = extractLoggedQuarantine(text)
      for (const entry of entries) await quarantine.keep(entry)
      for (const id of incomplete) {
        console.error(forTerminal(`${id}: a piece is missing from ${action.file}`))
      }
      // Named by line, never quoted: what was logged may hold anything.
      for (const line of damaged) {
        console.error(forTerminal(`${action.file}:${line}: a quarantine piece that cannot be read`))
      }
      print(
        json,
        { imported: entries.map((e) => e.id), incomplete, damaged, skipped },
        `${entries.length} callback(s) put back in the quarantine, ${incomplete.length} incomplete, ` +
          `${damaged.length} damaged, ${skipped} other line(s) skipped`,
      )
      if (entries.length + incomplete.length + damaged.length === 0) {
        console.error(
          forTerminal(
            `Nothing to put back in ${action.file}: no line of a callback the quarantine could not keep ` +
              '(VOD_SNAPSHOTS_UNSTORED_CALLBACK, reason "quarantine failed")',
          ),
        )
        return 1
      }
      return incomplete.length + damaged.length === 0 ? 0 : 1
    }
  }
}

async function main(): Promise<number> {
  const commandLine = readCommandLine(
    () => parseQuarantineArgs(process.argv.slice(2), process.env),
    QUARANTINE_USAGE,
  )
  if ('exitCode' in commandLine) return commandLine.exitCode
  const { request } = commandLine
  if (request.action.kind.startsWith('delete') && !request.yes && !process.stdin.isTTY) {
    console.error(NO_TERMINAL_TO_CONFIRM)
    return 2
  }
  const s3 = createOperatorS3Client(request.s3Endpoint, process.env)
  try {
    return await run(request, s3Quarantine(s3, request.bucket))
  } catch (error) {
    const where = request.s3Endpoint ?? 'AWS'
    console.error(
      `Quarantine bucket ${request.bucket} at ${where}: ${forTerminal(errorMessage(error))}`,
    )
    return 1
  } finally {
    s3.destroy()
  }
}

process.exitCode = await main()
