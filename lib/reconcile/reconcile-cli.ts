import { parseArgs } from 'node:util'
import { resultTtlDaysOf, storeTargets } from '../operator/local-stack'
import { asUsage, UsageError } from '../operator/usage-error'
import { readVodAccess, type VodAccess } from '../pull/pull-cli'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
import { type ReconcileReport, VOD_TASK_RETENTION_MS } from './reconcile'

type Env = Record<string, string | undefined>

/** Printed for --help and after every usage error. */
export const RECONCILE_USAGE = `Usage: npm run reconcile -- --since <time> [options]

Asks VOD's task API for every task that finished in the window and writes the screenshot
results the table lacks: what a callback missed (a deploy, an outage, a rotated key). What a
callback stored is never rewritten; a recovered item carries origin "reconcile". VOD answers for
the last 72 hours only. Running it again over the same window writes nothing.

  --since <time>              the window's start, ISO 8601 (2026-12-04T10:00:00Z), at most 72
                              hours ago (required)
  --until <time>              the window's end (default: now)
  --endpoint <e>              the VOD API: a host (default vod.tencentcloudapi.com) or a URL such
                              as http://127.0.0.1:9400 (default: $VOD_ENDPOINT)
  --sub-app-id <id>           the VOD application ID (default: $VOD_SUBAPP_ID); required for
                              accounts opened since 2023-12-25
  --quarantine-bucket <name>  where a task detail that fails validation is kept (default:
                              $QUARANTINE_BUCKET; without one it goes to the error output)
  --local                     the local stack (npm start): its DynamoDB, its S3 and quarantine
                              bucket, and its VOD stand-in at http://127.0.0.1:$VOD_PORT (${LOCAL_DEFAULTS.vodPort})
                              unless --endpoint or VOD_ENDPOINT is given, with the stand-in's key
                              unless TENCENTCLOUD_SECRET_ID and _KEY are set, and VOD_REGION
                              ap-guangzhou unless set
  --dry-run                   count what is missing; write and keep nothing
  --json                      print the report as JSON on stdout
  --help                      this text

Environment: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (a Tencent Cloud API key),
VOD_REGION (e.g. ap-guangzhou), TABLE_NAME (default vod-snapshots), DYNAMODB_ENDPOINT (default
AWS; then the usual AWS_* settings), RESULT_TTL_DAYS, S3_ENDPOINT. Logs go to stderr, and
when it is a terminal a progress line every 5 s.
Exit codes: 0 the window was reconciled (whatever was recovered), 1 a VOD API or store error
stopped it (what was recovered stays; the reason on stderr), 2 usage or configuration error.`

/** What one run of `npm run reconcile` is asked to do. */
export interface ReconcileRequest extends VodAccess {
  since: Date
  until: Date
  tableName: string
  dynamodbEndpoint: string | undefined
  resultTtlDays: number | undefined
  quarantineBucket: string | undefined
  s3Endpoint: string | undefined
  dryRun: boolean
  json: boolean
}

function readTime(text: string, flag: string): Date {
  // ISO 8601 with a date and a time: a bare date or a local time would be read in a guessed zone.
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/
  const time = Date.parse(text)
  if (!iso.test(text) || Number.isNaN(time)) {
    throw new UsageError(
      `${flag} must be an ISO 8601 time with its zone, such as 2026-12-04T10:00:00Z`,
    )
  }
  return new Date(time)
}

/**
 * Reads the command line and the environment (as `npm run pull` does: the API key, VOD_REGION,
 * VOD_ENDPOINT, VOD_SUBAPP_ID, TABLE_NAME, DYNAMODB_ENDPOINT), and VOD_PORT, DYNAMODB_PORT,
 * SQS_PORT and S3_ENDPOINT for --local.
 *
 * @returns the request, or `help` when --help was asked for
 * @throws {UsageError} naming what is wrong: a window VOD cannot answer for names its 72 hours
 */
export function parseReconcileArgs(
  argv: readonly string[],
  env: Env,
  now: () => Date = () => new Date(),
): ReconcileRequest | 'help' {
  const { values } = asUsage(() =>
    parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        endpoint: { type: 'string' },
        'sub-app-id': { type: 'string' },
        'quarantine-bucket': { type: 'string' },
        local: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  )
  if (values.help) return 'help'
  if (!values.since) throw new UsageError('give --since: the start of the window to reconcile')
  const at = now()
  const since = readTime(values.since, '--since')
  const until = values.until ? readTime(values.until, '--until') : at
  if (at.getTime() - since.getTime() > VOD_TASK_RETENTION_MS) {
    throw new UsageError(
      '--since is more than 72 hours ago: VOD answers for the tasks of the last 72 hours only',
    )
  }
  if (until.getTime() <= since.getTime()) throw new UsageError('--until must be after --since')
  const local = values.local ?? false
  const vod = readVodAccess(values, env, { local })
  let resultTtlDays: number | undefined
  try {
    resultTtlDays = resultTtlDaysOf(env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    throw new UsageError(`RESULT_TTL_DAYS: ${error.message}`)
  }
  return {
    ...vod,
    since,
    until,
    ...storeTargets(env, local, values['quarantine-bucket']),
    resultTtlDays,
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
  }
}

const skippedText = (skipped: Record<string, number>) => {
  const entries = Object.entries(skipped)
  if (entries.length === 0) return '0 skipped'
  const total = entries.reduce((sum, [, n]) => sum + n, 0)
  // Task types come from VOD: only plain words are printed.
  const types = entries.map(
    ([type, n]) => `${/^[A-Za-z0-9_.-]{1,64}$/.test(type) ? type : '?'} ${n}`,
  )
  return `${total} skipped (${types.join(', ')})`
}

/** The report as the line an operator reads last (stdout). */
export function describeReconcile(report: ReconcileReport, dryRun: boolean): string {
  const recovered = dryRun ? 'missing (dry run: nothing written)' : 'recovered'
  const parts = [
    `${report.listed} tasks listed`,
    `${report.examined} examined`,
    skippedText(report.skipped),
    `${report.found} results found`,
    `${report.present} already present`,
    `${report.recovered} ${recovered}`,
  ]
  if (report.invalid > 0)
    parts.push(`${report.invalid} invalid (${dryRun ? 'not kept' : 'quarantined'})`)
  if (report.vanished > 0) parts.push(`${report.vanished} no longer known to VOD`)
  return `${report.since} to ${report.until}: ${parts.join(', ')}`
}

/** The progress line a long run shows on a terminal (see `terminalProgress`). */
export const reconcileProgressLine = (report: ReconcileReport): string =>
  `progress: ${report.listed} tasks listed, ${report.examined} examined, ${report.recovered} recovered`

/** 0 reconciled, 1 stopped by an error (what was recovered stays). */
export const reconcileExitCode = (report: ReconcileReport): number => (report.complete ? 0 : 1)
