import { parseArgs } from 'node:util'
import { loadForwardConfig } from '../forward/forward-config'
import { ConfigError } from '../runtime/config'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
import { errorMessage } from '../runtime/log'
import { localDynamoDBEndpoint, localSqsEndpoint, resultTtlDaysOf } from './local-stack'
import { forTerminal } from './terminal-text'
import { asUsage, checkUrl, UsageError } from './usage-error'

type Env = Record<string, string | undefined>

/** Printed for --help and after every usage error. */
export const REPLAY_USAGE = `Usage: npm run replay -- <file> [options]
       npm run replay -- --dlq [options]

Writes screenshot results that were not stored to the table, with their original receipt
time. Idempotent: replaying twice changes nothing.

  <file>            a file of the callback function's VOD_SNAPSHOTS_UNSTORED_CALLBACK log lines
                    (as CloudWatch shows or exports them), callback bodies or fallback messages;
                    a marker line that is cut or damaged is named by its line number, other
                    lines are skipped
  --dlq             drain the fallback dead-letter queue instead: each message written is
                    deleted, a message that fails stays in the queue; then says how many
                    messages are waiting and how many are in flight (back when their
                    visibility timeout ends)
  --queue-url <url> the dead-letter queue (default: $FALLBACK_DLQ_URL; with --local, the
                    local stack's)
  --table <name>    the table (default: $TABLE_NAME, else vod-snapshots)
  --endpoint <url>  a DynamoDB endpoint (default: $DYNAMODB_ENDPOINT, else AWS)
  --local           the local stack (npm start): its DynamoDB, http://127.0.0.1:$DYNAMODB_PORT
                    (8000), when neither --endpoint nor DYNAMODB_ENDPOINT is set, and for --dlq
                    its dead-letter queue on http://127.0.0.1:$SQS_PORT (9324); logged events
                    go to $FORWARD_URL's receiver, never to AWS (without one they fail)
  --help            this text

Replayed results expire as stored ones do when RESULT_TTL_DAYS is set as the deployment sets
it. AWS region, profile and credentials come from the usual AWS SDK settings. Exit codes:
  0 everything replayed, and with --dlq no message in flight
  1 the file held nothing to replay, or a damaged marker line; something could not be read or
    written (a missing table is named); with --dlq, a message failed or is still in flight
  2 usage error`

/**
 * What went wrong, with what caused it (a store failure says why the store failed), for one line
 * of output: escaped with {@link forTerminal}, as an error can quote what was received.
 */
export function describeFailure(error: unknown): string {
  const { cause } = (error ?? {}) as { cause?: unknown }
  return forTerminal(cause ? `${errorMessage(error)}: ${errorMessage(cause)}` : errorMessage(error))
}

/**
 * The progress line a long replay shows on a terminal (see `terminalProgress`): entries of a
 * file, of `total`; messages of the dead-letter queue, whose count is not known beforehand.
 */
export function replayProgressLine(done: number, total?: number): string {
  return total === undefined
    ? `replayed ${done} message(s) so far…`
    : `replayed ${done} of ${total}…`
}

/** What one run of `npm run replay` is asked to do. */
export interface ReplayRequest {
  source:
    | { kind: 'file'; file: string }
    /** `queueUrl` undefined: the local stack's dead-letter queue, found by its name. */
    | { kind: 'dlq'; queueUrl: string | undefined }
  tableName: string
  /** Undefined: the real DynamoDB of the configured region. */
  endpoint: string | undefined
  /** Undefined: the real SQS of the configured region. */
  sqsEndpoint: string | undefined
  resultTtlDays: number | undefined
  /**
   * Where events the functions could only log go back: the stage's bus (`bus`, AWS's
   * EventBridge as the SDK finds it) or, with --local, FORWARD_URL's receiver, the local stack's
   * stand-in for the bus (`none` when it is unset: --local never reaches AWS).
   */
  events: { to: 'bus' } | { to: 'receiver'; url: string } | { to: 'none' }
}

/**
 * Reads the command line and the environment the functions read too (TABLE_NAME,
 * DYNAMODB_ENDPOINT, RESULT_TTL_DAYS), FALLBACK_DLQ_URL, and DYNAMODB_PORT and SQS_PORT for
 * --local.
 *
 * @returns the request, or `help` when --help was asked for
 * @throws {UsageError} naming what is wrong
 */
export function parseReplayArgs(argv: readonly string[], env: Env): ReplayRequest | 'help' {
  const { values, positionals } = asUsage(() => parse(argv))
  if (values.help) return 'help'
  const local = values.local ?? false

  let source: ReplayRequest['source']
  if (values.dlq) {
    if (positionals.length > 0) {
      throw new UsageError(`--dlq replays the queue, not also ${positionals.join(' ')}`)
    }
    const queueUrl = values['queue-url'] || (local ? undefined : env.FALLBACK_DLQ_URL)
    if (!queueUrl && !local) {
      throw new UsageError(
        '--dlq needs the queue: set FALLBACK_DLQ_URL, or pass --queue-url or --local',
      )
    }
    source = { kind: 'dlq', queueUrl: checkUrl(queueUrl, 'the queue URL') }
  } else {
    if (values['queue-url'] !== undefined) throw new UsageError('--queue-url goes with --dlq')
    const [file, ...extra] = positionals
    if (file === undefined || file === '') throw new UsageError('give the file to replay, or --dlq')
    if (extra.length > 0) throw new UsageError(`one file at a time, not also ${extra.join(' ')}`)
    source = { kind: 'file', file }
  }

  const resultTtlDays = resultTtlDaysOf(env)
  const endpoint =
    values.endpoint || env.DYNAMODB_ENDPOINT || (local ? localDynamoDBEndpoint(env) : undefined)
  const sqsEndpoint = local ? localSqsEndpoint(env) : undefined
  return {
    source,
    tableName: values.table || env.TABLE_NAME || LOCAL_DEFAULTS.tableName,
    endpoint: checkUrl(endpoint, 'the DynamoDB endpoint'),
    sqsEndpoint,
    resultTtlDays,
    events: !local ? { to: 'bus' } : localEvents(env),
  }
}

/** With --local, logged events go to FORWARD_URL's receiver, checked as the function checks it. */
function localEvents(env: Env): ReplayRequest['events'] {
  let forwardUrl: string | undefined
  try {
    forwardUrl = loadForwardConfig({ FORWARD_URL: env.FORWARD_URL }).forwardUrl
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    throw new UsageError(error.message)
  }
  return forwardUrl ? { to: 'receiver', url: forwardUrl } : { to: 'none' }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      dlq: { type: 'boolean' },
      'queue-url': { type: 'string' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      local: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
