import { parseArgs } from 'node:util'
import { loadForwardConfig } from '../forward/forward-config'
import { localVodEndpoint, resultTtlDaysOf, storeTargets } from '../operator/local-stack'
import { asUsage, UsageError } from '../operator/usage-error'
import { ConfigError } from '../runtime/config'
import { LOCAL_DEFAULTS, VOD_STAND_IN_CREDENTIALS } from '../runtime/local-defaults'
import type { DrainReport } from './drain'
import type { TencentCredentials } from './vod-client'
import { vodHttpProfile } from './vod-client'

type Env = Record<string, string | undefined>

/** Printed for --help and after every usage error. */
export const PULL_USAGE = `Usage: npm run pull -- --once [options]

Drains VOD's event queue once (reliable-callback mode), as the scheduled function does: pulls
events until the queue is empty or 55 s have passed, stores every screenshot result in the
table, passes the other events on to the bus, keeps invalid snapshot events in the quarantine,
and confirms each event dealt with. An event not dealt with stays in VOD's queue: one not
stored, another type with no bus to pass it on to, an invalid one with no quarantine.

  --once                      one drain, then exit (required)
  --endpoint <e>              the VOD API: a host (default vod.tencentcloudapi.com) or a URL
                              such as http://127.0.0.1:9400 (default: $VOD_ENDPOINT)
  --sub-app-id <id>           the VOD application ID (default: $VOD_SUBAPP_ID); required for
                              accounts opened since 2023-12-25
  --bus <name>                the EventBridge bus other event types are put on (default:
                              $EVENT_BUS_NAME; the stack output EventBusName)
  --quarantine-bucket <name>  the bucket invalid snapshot events, and events too large for the
                              bus, are kept in (default: $QUARANTINE_BUCKET; the stack output
                              QuarantineBucketName)
  --result-ttl-days <n>       days until DynamoDB may delete a stored result, as the deployment
                              sets it (default: $RESULT_TTL_DAYS; 0 or none: kept for ever)
  --local                     the local stack (npm start): its VOD stand-in at
                              http://127.0.0.1:$VOD_PORT (${LOCAL_DEFAULTS.vodPort}) unless --endpoint or
                              VOD_ENDPOINT is given, with the stand-in's key unless
                              TENCENTCLOUD_SECRET_ID and _KEY are set, and VOD_REGION
                              ap-guangzhou unless set; its DynamoDB at
                              http://127.0.0.1:$DYNAMODB_PORT (8000) unless DYNAMODB_ENDPOINT is
                              set, its S3 at http://127.0.0.1:$SQS_PORT (9324) unless S3_ENDPOINT
                              is set, and its quarantine bucket (default ${LOCAL_DEFAULTS.quarantineBucket});
                              other events go to $FORWARD_URL, as npm start delivers them
  --help                      this text

Environment: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (a Tencent Cloud API key),
VOD_REGION (e.g. ap-guangzhou), TABLE_NAME (default vod-snapshots), DYNAMODB_ENDPOINT (default
AWS; then the usual AWS_* settings), FORWARD_ALL=true (put the snapshot events on the bus too),
FORWARD_URL (the local stack's receiver, in place of a bus), S3_ENDPOINT. Exit codes: 0 every
event pulled was confirmed (the queue is empty, or the time was up), 1 events were left in VOD's
queue or a VOD call failed (the reason on stderr), 2 usage or configuration error.`

/** What one run of `npm run pull` is asked to do. */
export interface PullRequest {
  credentials: TencentCredentials
  region: string
  endpoint: string | undefined
  subAppId: number | undefined
  tableName: string
  dynamodbEndpoint: string | undefined
  /** RESULT_TTL_DAYS: stored results expire as the deployment's do. */
  resultTtlDays: number | undefined
  /** EVENT_BUS_NAME: where other event types go (and, with forwardAll, the snapshot events). */
  busName: string | undefined
  /** FORWARD_URL: the local stack's stand-in for the bus. */
  forwardUrl: string | undefined
  forwardAll: boolean
  /** QUARANTINE_BUCKET: where invalid snapshot events and oversized events are kept. */
  quarantineBucket: string | undefined
  /** The quarantine's S3; undefined: AWS. */
  s3Endpoint: string | undefined
}

/** How an operator command reaches VOD's API: the key, the region, the endpoint, the application. */
export interface VodAccess {
  credentials: TencentCredentials
  region: string
  endpoint: string | undefined
  subAppId: number | undefined
}

/** The region the local stand-in is asked in when VOD_REGION is unset: it answers any. */
const LOCAL_VOD_REGION = 'ap-guangzhou'

/**
 * Reads --endpoint and --sub-app-id (else VOD_ENDPOINT, VOD_SUBAPP_ID), VOD_REGION and the API
 * key (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY), as the pull and reconcile commands take them.
 * With `local` (their --local), what is not given is `npm start`'s VOD stand-in: its endpoint
 * (http://127.0.0.1:$VOD_PORT), its key when neither half of one is set, and ap-guangzhou.
 *
 * @throws {UsageError} naming what is missing or wrong (never a secret's value)
 */
export function readVodAccess(
  values: { endpoint?: string; 'sub-app-id'?: string },
  env: Env,
  { local = false }: { local?: boolean } = {},
): VodAccess {
  const given = values.endpoint || env.VOD_ENDPOINT || undefined
  const endpoint = given ?? (local ? localVodEndpoint(env) : undefined)
  try {
    vodHttpProfile(endpoint)
  } catch (error) {
    const message = given
      ? (error as Error).message
      : `VOD_PORT must be a port, not ${env.VOD_PORT}`
    throw new UsageError(message)
  }
  const subAppId = values['sub-app-id'] || env.VOD_SUBAPP_ID || undefined
  if (subAppId !== undefined && !/^[1-9]\d{0,15}$/.test(subAppId)) {
    throw new UsageError(`the sub-app ID must be a VOD application ID, not ${subAppId}`)
  }
  const noKey = !env.TENCENTCLOUD_SECRET_ID && !env.TENCENTCLOUD_SECRET_KEY
  const { secretId, secretKey } =
    local && noKey
      ? VOD_STAND_IN_CREDENTIALS
      : { secretId: env.TENCENTCLOUD_SECRET_ID, secretKey: env.TENCENTCLOUD_SECRET_KEY }
  if (!secretId || !secretKey) {
    throw new UsageError('set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY')
  }
  const region = env.VOD_REGION || (local ? LOCAL_VOD_REGION : undefined)
  if (!region) throw new UsageError('set VOD_REGION, e.g. ap-guangzhou')
  return {
    credentials: { secretId, secretKey },
    region,
    endpoint,
    subAppId: subAppId === undefined ? undefined : Number(subAppId),
  }
}

/**
 * Reads the command line and the environment the pull function reads too (TABLE_NAME,
 * DYNAMODB_ENDPOINT, RESULT_TTL_DAYS, EVENT_BUS_NAME, FORWARD_ALL, FORWARD_URL,
 * QUARANTINE_BUCKET, VOD_ENDPOINT, VOD_SUBAPP_ID, VOD_REGION), the API key, and VOD_PORT,
 * DYNAMODB_PORT, SQS_PORT and S3_ENDPOINT for --local.
 *
 * @returns the request, or `help` when --help was asked for
 * @throws {UsageError} naming what is wrong
 */
export function parsePullArgs(argv: readonly string[], env: Env): PullRequest | 'help' {
  const { values } = asUsage(() => parse(argv))
  if (values.help) return 'help'
  if (!values.once) throw new UsageError('give --once: each run drains the queue once')
  const local = values.local ?? false

  const vod = readVodAccess(values, env, { local })
  const ttlDays = values['result-ttl-days']
  let resultTtlDays: number | undefined
  try {
    resultTtlDays = resultTtlDaysOf({ RESULT_TTL_DAYS: ttlDays ?? env.RESULT_TTL_DAYS })
  } catch (error) {
    if (ttlDays === undefined || !(error instanceof UsageError)) throw error
    throw new UsageError(`--result-ttl-days ${ttlDays}: ${error.message}`)
  }
  let forwarding: ReturnType<typeof loadForwardConfig>
  try {
    forwarding = loadForwardConfig({
      EVENT_BUS_NAME: values.bus || env.EVENT_BUS_NAME,
      FORWARD_URL: env.FORWARD_URL,
      FORWARD_ALL: env.FORWARD_ALL,
    })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    throw new UsageError(error.message)
  }
  return {
    ...vod,
    ...storeTargets(env, local, values['quarantine-bucket']),
    resultTtlDays,
    ...forwarding,
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
      bus: { type: 'string' },
      'quarantine-bucket': { type: 'string' },
      'result-ttl-days': { type: 'string' },
      local: { type: 'boolean' },
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

/** The report as the closing lines an operator reads (on stdout). */
export function describeReport(report: DrainReport): string {
  const { pulls, pulled, storedEvents, storedResults, ignored, invalid } = report
  return [
    `${pulled} event(s) in ${pulls} pull(s): ${storedEvents} stored (${storedResults} results), ` +
      `${ignored} other type(s) passed on, ${invalid} invalid (quarantined)`,
    `${report.confirmed} confirmed, ${report.unconfirmed} left for VOD to deliver again`,
    `stopped: ${STOPS[report.stop]}`,
  ].join('\n')
}

const events = (n: number, kind = '') => `${n} ${kind}event${n === 1 ? '' : 's'}`

/**
 * Why the run did not confirm everything it pulled, one line each, for stderr: events with no
 * bus to pass them on to, invalid events with no quarantine to keep them in, events not stored
 * or not confirmed, a drain that ended on an error. Empty when every pulled event was confirmed.
 */
export function problemsOf(report: DrainReport): string[] {
  const { unpassed, unkept } = report
  // `unpassed` and `unkept` are counted in `unconfirmed` too.
  const otherwise = report.unconfirmed - unpassed - unkept
  const problems: string[] = []
  if (unpassed > 0) {
    problems.push(
      `${events(unpassed)} left in VOD's queue: nothing to pass them on to (set EVENT_BUS_NAME or --bus; with --local, FORWARD_URL)`,
    )
  }
  if (unkept > 0) {
    problems.push(
      `${events(unkept, 'invalid ')} left in VOD's queue: no quarantine to keep them in ` +
        '(set QUARANTINE_BUCKET or --quarantine-bucket)',
    )
  }
  if (otherwise > 0) {
    problems.push(
      `${events(otherwise)} left in VOD's queue, not stored or not confirmed (see above): ` +
        'VOD delivers them again',
    )
  }
  if (report.stop === 'vod-error' || report.stop === 'store-failing') {
    problems.push(`stopped early: ${STOPS[report.stop]}`)
  }
  return problems
}

/** 0 when every pulled event was confirmed and the drain ended normally, 1 otherwise. */
export const exitCodeOf = (report: DrainReport): number => (problemsOf(report).length === 0 ? 0 : 1)
