import { parseArgs } from 'node:util'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
import type { SnapshotItem } from '../store/snapshot-item'
import { localDynamoDBEndpoint } from './local-stack'
import { renderTable } from './snapshot-table'
import { forTerminal } from './terminal-text'
import { asUsage, checkUrl, UsageError } from './usage-error'

type Env = Record<string, string | undefined>

/** Printed for --help and after every usage error. */
export const QUERY_USAGE = `Usage: npm run query -- (--task <vodTaskId> | --file <fileId>) [options]

Lists the stored screenshots of one task, or of one video through the byFileId index,
sorted by time offset.

  --task <id>      the screenshot task (vodTaskId)
  --file <id>      the video (fileId), whatever task took the screenshots
  --failed         only the failed screenshots
  --json           print a JSON array of the items instead of the table
  --html <file>    write a contact sheet (one HTML page of thumbnails) to <file>
  --table <name>   the table (default: $TABLE_NAME, else vod-snapshots)
  --endpoint <url> a DynamoDB endpoint (default: $DYNAMODB_ENDPOINT, else AWS)
  --local          the local stack's DynamoDB, http://127.0.0.1:$DYNAMODB_PORT (8000),
                   when neither --endpoint nor DYNAMODB_ENDPOINT is set
  --help           this text

AWS region, profile and credentials come from the usual AWS SDK settings (AWS_REGION,
AWS_PROFILE, ...). With an endpoint and no AWS_ACCESS_KEY_ID or AWS_PROFILE, dummy local
credentials are used. Exit codes: 0 done (also when nothing is found), 1 DynamoDB error,
2 usage error.`

/** What one run of `npm run query` is asked to do. */
export interface QueryRequest {
  by: 'task' | 'file'
  id: string
  failedOnly: boolean
  output: { kind: 'table' } | { kind: 'json' } | { kind: 'html'; file: string }
  tableName: string
  /** Undefined: the real DynamoDB of the configured region. */
  endpoint: string | undefined
}

/**
 * Reads the command line and the environment the function reads too (TABLE_NAME,
 * DYNAMODB_ENDPOINT), plus DYNAMODB_PORT for --local.
 *
 * @returns the request, or `help` when --help was asked for
 * @throws {UsageError} naming what is wrong
 */
export function parseQueryArgs(argv: readonly string[], env: Env): QueryRequest | 'help' {
  const { values } = asUsage(() => parse(argv))
  if (values.help) return 'help'

  const { task, file } = values
  if ((task === undefined) === (file === undefined)) {
    throw new UsageError('give exactly one of --task <vodTaskId> and --file <fileId>')
  }
  const id = task ?? file ?? ''
  if (id === '') throw new UsageError(`--${task === undefined ? 'file' : 'task'} must not be empty`)
  if (values.json && values.html !== undefined) {
    throw new UsageError('give at most one of --json and --html <file>')
  }
  if (values.html === '') throw new UsageError('--html needs a file name')

  const endpoint =
    values.endpoint ||
    env.DYNAMODB_ENDPOINT ||
    (values.local ? localDynamoDBEndpoint(env) : undefined)
  checkUrl(endpoint, 'the DynamoDB endpoint')
  return {
    by: task === undefined ? 'file' : 'task',
    id,
    failedOnly: values.failed ?? false,
    output: values.json
      ? { kind: 'json' }
      : values.html !== undefined
        ? { kind: 'html', file: values.html }
        : { kind: 'table' },
    tableName: values.table || env.TABLE_NAME || LOCAL_DEFAULTS.tableName,
    endpoint,
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      task: { type: 'string' },
      file: { type: 'string' },
      failed: { type: 'boolean' },
      json: { type: 'boolean' },
      html: { type: 'string' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      local: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

/** `task <id>` or `video <id>`, with `(failed only)` when asked: the ID escaped for the terminal. */
export function describeSubject({ by, id, failedOnly }: QueryRequest): string {
  return `${by === 'task' ? 'task' : 'video'} ${forTerminal(id)}${failedOnly ? ' (failed only)' : ''}`
}

/**
 * The text output: the table of the screenshots found (its cells escaped for a terminal by
 * renderTable before it lays out the columns), or a line saying there are none.
 */
export function renderQueryText(
  items: readonly SnapshotItem[],
  request: QueryRequest,
  where: string,
): string {
  const subject = describeSubject(request)
  if (items.length === 0) {
    return `No screenshots stored for ${subject} in table "${request.tableName}" at ${where}.`
  }
  return `Screenshots of ${subject}\n\n${renderTable(items, { withTask: request.by === 'file' })}`
}

/**
 * One line for an operator about a failed query, naming the table and where it was looked for;
 * never a stack trace.
 */
export function describeQueryError(error: unknown, tableName: string, where: string): string {
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: `${error}` }
  if (name === 'ResourceNotFoundException') {
    return `Table "${tableName}" not found at ${where}. Set TABLE_NAME or --table to its name.`
  }
  return `Could not query table "${tableName}" at ${where}: ${forTerminal(message || name)}`
}
