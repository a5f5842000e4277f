import { parseArgs } from 'node:util'
import { asUsage, UsageError } from '../operator/usage-error'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
import type { DrainReport } from './drain'
import type { TencentCredentials } from './vod-client'
import { vodHttpProfile } from './vod-client'

type Env = Record<string, string | undefined>

/** Printed for --help and after every usage error. */
export const PULL_USAGE = `Usage: npm run pull -- --once [--endpoint <host or URL>] [--sub-app-id <id>]

Drains VOD's event queue once (reliable-callback mode), as the scheduled function does: pulls
events until the queue is empty or 55 s have passed, stores every screenshot result in the
table, and confirms each event handled. Events not stored stay in VOD's queue.

  --once               one drain, then exit (required)
  --endpoint <e>       the VOD API: a host (default vod.tencentcloudapi.com) or a URL such as
                       http://127.0.0.1:9000 (a local fake) (default: $VOD_ENDPOINT)
  --sub-app-id <id>    the VOD application ID (default: $VOD_SUBAPP_ID); required for
                       accounts opened since 2023-12-25
  --help               this text

Environment: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (a Tencent Cloud API key),
VOD_REGION (e.g. ap-guangzhou), TABLE_NAME (default vod-snapshots), DYNAMODB_ENDPOINT (default
AWS; then the usual AWS_* settings). Exit codes: 0 the queue was drained or the time was up
with nothing left unconfirmed, 1 otherwise, 2 usage or configuration error.`

/** What one run of `npm run pull` is asked to do. */
export interface PullRequest {
  credentials: TencentCredentials
  region: string
  endpoint: string | undefined
  subAppId: number | undefined
  tableName: string
  dynamodbEndpoint: string | undefined
}

/**
 * Reads the command line and the environment.
 * @returns the request, or `help` when --help was asked for
 * @throws {UsageError} naming what is wrong
 */
export function parsePullArgs(argv: readonly string[], env: Env): PullRequest | 'help' {
  const { values } = asUsage(() => parse(argv))
  if (values.help) return 'help'
  if (!values.once) throw new UsageError('give --once: each run drains the queue once')

  const endpoint = values.endpoint || env.VOD_ENDPOINT || undefined
  try {
    vodHttpProfile(endpoint)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const subAppId = values['sub-app-id'] || env.VOD_SUBAPP_ID || undefined
  if (subAppId !== undefined && !/^[1-9]\d{0,15}$/.test(subAppId)) {
    throw new UsageError(`the sub-app ID must be a VOD application ID, not ${subAppId}`)
  }
  const secretId = env.TENCENTCLOUD_SECRET_ID
  const secretKey = env.TENCENTCLOUD_SECRET_KEY
  if (!secretId || !secretKey) {
    throw new UsageError('set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY')
  }
  if (!env.VOD_REGION) throw new UsageError('set VOD_REGION, e.g. ap-guangzhou')
  return {
    credentials: { secretId, secretKey },
    region: env.VOD_REGION,
    endpoint,
    subAppId: subAppId === undefined ? undefined : Number(subAppId),
    tableName: env.TABLE_NAME || LOCAL_DEFAULTS.tableName,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      once: { type: 'boolean' },
      endpoint: { type: 'string' },
      'sub-app-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

const STOPS: Record<DrainReport['stop'], string> = {
  empty: 'the queue is empty',
  deadline: 'time is up; run again for the events still waiting',
  'vod-error': 'a VOD API call failed (see above)',
  'store-failing': 'DynamoDB took none of the last batch (see above)',
}

/** The report as the closing lines an operator reads. */
export function describeReport(report: DrainReport): string {
  const { pulls, pulled, storedEvents, storedResults, ignored, invalid } = report
  return [
    `${pulled} event(s) in ${pulls} pull(s): ${storedEvents} stored (${storedResults} results), ` +
      `${ignored} other type(s) acknowledged, ${invalid} invalid (quarantined)`,
    `${report.confirmed} confirmed, ${report.unconfirmed} left for VOD to deliver again`,
    `stopped: ${STOPS[report.stop]}`,
  ].join('\n')
}

/** 0 when everything pulled was dealt with, 1 otherwise. */
export const exitCodeOf = (report: DrainReport): number =>
  (report.stop === 'empty' || report.stop === 'deadline') && report.unconfirmed === 0 ? 0 : 1
