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
  --list               ID, time, status, event type and first problem of each kept callback
  --show <id>          one kept callback: its problems and its whole body
  --replay <id>        run it through today's parser and store: stored or ignored, it leaves
                       the quarantine; still invalid, it stays with today's problems
  --replay --all       the same for every kept callback
  --import <file>      put back the callbacks the function could only log (its
                       "quarantine failed" VOD_SNAPSHOTS_UNSTORED_CALLBACK lines, exported)

Options:
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
(a replay stored or acknowledged everything it was given), 1 an AWS error, an ID not found, or a
replay that left callbacks in the quarantine, 2 usage error.`

type QuarantineAction =
  | { kind: 'list' }
  | { kind: 'show'; id: string }
  | { kind: 'replay'; id: string }
  | { kind: 'replay-all' }
  | { kind: 'import'; file: string }

/** What one run of `npm run quarantine` is asked to do. */
export interface QuarantineRequest {
  action: QuarantineAction
  json: boolean
  bucket: string
  s3Endpoint: string | undefined
  tableName: string
  dynamodbEndpoint: string | undefined
  /** RESULT_TTL_DAYS, as the deployment sets it: replayed results expire as stored ones do. */
  resultTtlDays: number | undefined
}

const ID = /^[A-Za-z0-9-]{1,200}$/

/**
 * Reads the command line and the environment.
 * @returns the request, or `help` when --help was asked for
 * @throws {UsageError} naming what is wrong
 */
export function parseQuarantineArgs(argv: readonly string[], env: Env): QuarantineRequest | 'help' {
  const { values, positionals } = asUsage(() => parse(argv))
  if (values.help) return 'help'
  const actions = (['list', 'show', 'replay', 'import'] as const).filter((name) => values[name])
  if (actions.length !== 1) {
    throw new UsageError('give exactly one of --list, --show, --replay and --import')
  }
  const [kind] = actions
  const [argument, ...extra] = positionals
  if (extra.length > 0) throw new UsageError(`one argument at a time, not also ${extra.join(' ')}`)
  let action: QuarantineAction
  if (kind === 'list') {
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
    if (!ID.test(argument)) throw new UsageError(`--${kind}: not a quarantine ID: ${argument}`)
    action = { kind: kind === 'show' ? 'show' : 'replay', id: argument }
  }
  if (values.all && action.kind !== 'replay-all') throw new UsageError('--all goes with --replay')

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

// Everything kept came from outside, its ID (an S3 key) included: each field is escaped.
const summaryLine = (s: QuarantineSummary) =>
  [s.id, s.receivedAt, String(s.statusCode), s.eventType ?? '-', s.firstProblem ?? '-']
    .map(forTerminal)
    .join('  ')

/** The listing as text: one line per kept callback, then the count. */
export function renderQuarantineList(summaries: readonly QuarantineSummary[]): string {
  if (summaries.length === 0) return 'The quarantine is empty.'
  const lines = summaries.map(summaryLine)
  const n = summaries.length
  return [...lines, '', `${n} callback${n === 1 ? '' : 's'} in the quarantine`].join('\n')
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
