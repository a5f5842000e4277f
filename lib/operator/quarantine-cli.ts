import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import {
  bodyText,
  type QuarantinedCallback,
  type QuarantineSummary,
  summarise,
} from '../durability/quarantine'
import type { QuarantineReplayOutcome } from '../durability/quarantine-replay'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
import { localDynamoDBEndpoint, localSqsEndpoint, resultTtlDaysOf } from './local-stack'
import { forTerminal, textForTerminal } from './terminal-text'
import { asUsage, checkUrl, UsageError } from './usage-error'

type Env = Record<string, string | undefined>

/** Printed for --help and after every usage error. */
export const QUARANTINE_USAGE = `Usage: npm run quarantine -- <action> [options]

Reads and replays the quarantine: every authenticated callback the function rejected (400, 413,
422), kept whole because VOD does not send it again.

Actions (one):
  --list               ID, time, status, event type, task ID, file ID and first problem of each
                       kept callback (IDs as the body names them; "-" when not, or when kept
                       before they were recorded)
  --show <id>          one kept callback: its problems and its whole body
  --replay <id>        run it through today's parser and store: stored or ignored, it leaves
                       the quarantine; still invalid, it stays with today's problems
  --replay --all       the same for every kept callback (progress on stderr, on a terminal)
  --delete <id>...     remove these kept callbacks; none when one of the IDs is not kept
  --delete --older-than <days>
                       remove every callback received more than <days> days ago
  --import <file>      put back the callbacks the function could only log (its
                       "quarantine failed" VOD_SNAPSHOTS_UNSTORED_CALLBACK lines, exported)

Filters (with --list, --replay --all and --delete --older-than):
  --task <id>          only callbacks naming this task ID
  --file <id>          only callbacks naming this file ID
  --since <time>       only callbacks received at or after this ISO time (2026-12-04T09:00:00Z)

Options:
  --yes                delete without asking; --delete asks on a terminal (Delete 3 entries?
                       [y/N]) and, without one, refuses unless --yes is given
  --json               print JSON instead of text
  --local              the local stack (npm start): its S3 at http://127.0.0.1:$SQS_PORT (9324)
                       and its DynamoDB at http://127.0.0.1:$DYNAMODB_PORT (8000), unless an
                       endpoint is set
  --bucket <name>      the quarantine bucket (default: $QUARANTINE_BUCKET, else ${LOCAL_DEFAULTS.quarantineBucket})
  --s3-endpoint <url>  an S3 endpoint (default: $S3_ENDPOINT, else AWS)
  --table <name>       the table replays write (default: $TABLE_NAME, else vod-snapshots)
  --endpoint <url>     a DynamoDB endpoint (default: $DYNAMODB_ENDPOINT, else AWS)
                       (replayed results expire as stored ones do with RESULT_TTL_DAYS set)
  --help               this text

With EVENT_BUS_NAME set (the stack output EventBusName), a replayed body that turns out to be
another event type is put on that bus, as the function would have; without it, it just leaves
the quarantine. AWS region, profile and credentials come from the usual AWS SDK settings. Exit codes: 0 done
(a replay stored or acknowledged everything it was given), 1 an AWS error, an ID not found, a
replay that left callbacks in the quarantine, a deletion not confirmed, or an import with
nothing to put back or a piece missing or damaged, 2 usage error or a
deletion with neither a terminal to ask on nor --yes.`

type QuarantineAction =
  | { kind: 'list' }
  | { kind: 'show'; id: string }
  | { kind: 'replay'; id: string }
  | { kind: 'replay-all' }
  | { kind: 'delete'; ids: string[] }
  | { kind: 'delete-older'; olderThanDays: number }
  | { kind: 'import'; file: string }

/** Which kept callbacks --list, --replay --all and --delete --older-than take. */
export interface QuarantineFilter {
  taskId?: string
  fileId?: string
  /** Received at or after this ISO time. */
  since?: string
  /** Received before this ISO time. */
  before?: string
}

/** What one run of `npm run quarantine` is asked to do. */
export interface QuarantineRequest {
  action: QuarantineAction
  filter: QuarantineFilter
  /** --yes: delete without asking. */
  yes: boolean
  json: boolean
  bucket: string
  s3Endpoint: string | undefined
  tableName: string
  dynamodbEndpoint: string | undefined
  /** RESULT_TTL_DAYS, as the deployment sets it: replayed results expire as stored ones do. */
  resultTtlDays: number | undefined
}

const ID = /^[A-Za-z0-9-]{1,200}$/
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/
const DAYS = /^\d+(\.\d+)?$/
const FILTERED = ['list', 'replay-all', 'delete-older']

function filterOf(values: ReturnType<typeof parse>['values']): QuarantineFilter {
  const { task, file, since } = values
  if (since !== undefined && (!ISO_TIME.test(since) || Number.isNaN(Date.parse(since)))) {
    throw new UsageError(`--since must be an ISO time such as 2026-12-04T09:00:00Z, not ${since}`)
  }
  return {
    ...(task ? { taskId: task } : {}),
    ...(file ? { fileId: file } : {}),
    ...(since ? { since: new Date(since).toISOString() } : {}),
  }
}

function checkId(option: string, id: string): string {
  if (!ID.test(id)) throw new UsageError(`${option}: not a quarantine ID: ${id}`)
  return id
}

/**
 * Reads the command line and the environment.
 * @returns the request, or `help` when --help was asked for
 * @throws {UsageError} naming what is wrong
 */
export function parseQuarantineArgs(argv: readonly string[], env: Env): QuarantineRequest | 'help' {
  const { values, positionals } = asUsage(() => parse(argv))
  if (values.help) return 'help'
  const actions = (['list', 'show', 'replay', 'delete', 'import'] as const).filter(
    (name) => values[name],
  )
  if (actions.length !== 1) {
    throw new UsageError('give exactly one of --list, --show, --replay, --delete and --import')
  }
  const [kind] = actions
  const [argument, ...extra] = positionals
  if (extra.length > 0 && kind !== 'delete') {
    throw new UsageError(`one argument at a time, not also ${extra.join(' ')}`)
  }
  const olderThan = values['older-than']
  if (olderThan !== undefined && kind !== 'delete') {
    throw new UsageError('--older-than goes with --delete')
  }
  let action: QuarantineAction
  if (kind === 'delete') {
    if (olderThan !== undefined) {
      if (argument !== undefined) throw new UsageError('give --older-than or IDs, not both')
      if (!DAYS.test(olderThan)) {
        throw new UsageError(`--older-than must be a number of days, not ${olderThan}`)
      }
      action = { kind: 'delete-older', olderThanDays: Number(olderThan) }
    } else {
      if (argument === undefined)
        throw new UsageError('--delete needs quarantine IDs or --older-than <days>')
      action = { kind: 'delete', ids: positionals.map((id) => checkId('--delete', id)) }
    }
  } else if (kind === 'list') {
    if (argument !== undefined) throw new UsageError('--list takes no argument')
    action = { kind: 'list' }
  } else if (kind === 'import') {
    if (!argument) throw new UsageError('--import needs the file of exported log lines')
    action = { kind: 'import', file: argument }
  } else if (kind === 'replay' && values.all) {
    if (argument !== undefined) throw new UsageError('give --all or an ID, not both')
    action = { kind: 'replay-all' }
  } else {
    if (argument === undefined) throw new UsageError(`--${kind} needs a quarantine ID`)
    action = { kind: kind === 'show' ? 'show' : 'replay', id: checkId(`--${kind}`, argument) }
  }
  if (values.all && action.kind !== 'replay-all') throw new UsageError('--all goes with --replay')
  const filter = filterOf(values)
  if (Object.keys(filter).length > 0 && !FILTERED.includes(action.kind)) {
    throw new UsageError(
      '--task, --file and --since go with --list, --replay --all and --delete --older-than',
    )
  }
  if (values.yes && !action.kind.startsWith('delete'))
    throw new UsageError('--yes goes with --delete')

  const s3Endpoint =
    values['s3-endpoint'] || env.S3_ENDPOINT || (values.local ? localSqsEndpoint(env) : undefined)
  const dynamodbEndpoint =
    values.endpoint ||
    env.DYNAMODB_ENDPOINT ||
    (values.local ? localDynamoDBEndpoint(env) : undefined)
  checkUrl(s3Endpoint, 'the S3 endpoint')
  checkUrl(dynamodbEndpoint, 'the DynamoDB endpoint')
  return {
    action,
    filter,
    yes: values.yes ?? false,
    json: values.json ?? false,
    resultTtlDays: resultTtlDaysOf(env),
    bucket: values.bucket || env.QUARANTINE_BUCKET || LOCAL_DEFAULTS.quarantineBucket,
    s3Endpoint,
    tableName: values.table || env.TABLE_NAME || LOCAL_DEFAULTS.tableName,
    dynamodbEndpoint,
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      list: { type: 'boolean' },
      show: { type: 'boolean' },
      replay: { type: 'boolean' },
      all: { type: 'boolean' },
      delete: { type: 'boolean' },
      'older-than': { type: 'string' },
      task: { type: 'string' },
      file: { type: 'string' },
      since: { type: 'string' },
      yes: { type: 'boolean' },
      import: { type: 'boolean' },
      json: { type: 'boolean' },
      local: { type: 'boolean' },
      bucket: { type: 'string' },
      's3-endpoint': { type: 'string' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

/** The kept callbacks the filter takes (all of them for an empty filter). */
export function filterSummaries(
  summaries: readonly QuarantineSummary[],
  { taskId, fileId, since, before }: QuarantineFilter,
): QuarantineSummary[] {
  const at = (s: QuarantineSummary) => Date.parse(s.receivedAt)
  return summaries.filter(
    (s) =>
      (taskId === undefined || s.taskId === taskId) &&
      (fileId === undefined || s.fileId === fileId) &&
      (since === undefined || at(s) >= Date.parse(since)) &&
      (before === undefined || at(s) < Date.parse(before)),
  )
}

// Everything kept came from outside, its ID (an S3 key) included: each field is escaped.
const summaryLine = (s: QuarantineSummary) =>
  [
    s.id,
    s.receivedAt,
    String(s.statusCode),
    s.eventType ?? '-',
    s.taskId ?? '-',
    s.fileId ?? '-',
    s.firstProblem ?? '-',
  ]
    .map(forTerminal)
    .join('  ')

const entries = (n: number) => `${n} entr${n === 1 ? 'y' : 'ies'}`

/** What `--delete` asks on a terminal: the listing lines of what goes, then the question. */
export function deletionQuestion(summaries: readonly QuarantineSummary[]): string {
  return [...summaries.map(summaryLine), `Delete ${entries(summaries.length)}? [y/N] `].join('\n')
}

/** Printed, with exit code 2, when --delete has neither a terminal to ask on nor --yes. */
export const NO_TERMINAL_TO_CONFIRM =
  '--delete asks before it deletes, and there is no terminal to ask on: add --yes to delete without asking'

/**
 * Asks `question` on `output` and reads one line of `input`.
 * @returns true for y or yes (any case); false for anything else, and when the input ends
 */
export async function confirm(
  question: string,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<boolean> {
  output.write(question)
  const lines = createInterface({ input, terminal: false })
  try {
    for await (const line of lines) return /^\s*y(es)?\s*$/i.test(line)
    return false
  } finally {
    lines.close()
  }
}

/**
 * The listing as text: one line per kept callback the filters took, then the count; `kept` is
 * how many the quarantine holds, so that a filter that took none does not read as empty.
 */
export function renderQuarantineList(
  summaries: readonly QuarantineSummary[],
  kept = summaries.length,
): string {
  const plural = (n: number) => `${n} callback${n === 1 ? '' : 's'}`
  if (kept === 0) return 'The quarantine is empty.'
  if (summaries.length === 0) {
    return `No kept callback matches the filters (${plural(kept)} in the quarantine).`
  }
  const lines = summaries.map(summaryLine)
  const shown = summaries.length
  const count =
    shown === kept
      ? `${plural(shown)} in the quarantine`
      : `${plural(shown)} of ${kept} in the quarantine`
  return [...lines, '', count].join('\n')
}

/** One kept callback as `--show` prints it: its listing line, its problems, its whole body. */
export function renderQuarantinedCallback(entry: QuarantinedCallback): string {
  const problems = entry.problems.map((problem) => `  ${forTerminal(problem)}`)
  return [
    summaryLine(summarise(entry)),
    'problems:',
    ...problems,
    'body:',
    textForTerminal(bodyText(entry)),
  ].join('\n')
}

/** One replay's outcome as a line an operator reads. */
export function describeReplayOutcome(outcome: QuarantineReplayOutcome): string {
  const id = forTerminal(outcome.id)
  switch (outcome.outcome) {
    case 'stored':
      return `${id}: stored ${outcome.stored} result(s); removed from the quarantine`
    case 'ignored':
      return `${id}: acknowledged as ${forTerminal(outcome.eventType)}; removed from the quarantine`
    case 'invalid':
      return `${id}: still invalid, kept: ${forTerminal(outcome.problems.join('; '))}`
    case 'failed':
      return `${id}: FAILED to store, kept: ${forTerminal(outcome.reason)}`
    case 'not-found':
      return `${id}: not in the quarantine`
  }
}
