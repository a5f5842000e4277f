import * as v from 'valibot'
import { firstListed, ResultTtlDaysSchema } from '../runtime/config'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
import { shellWord } from './terminal-text'
import { checkUrl, UsageError } from './usage-error'

type Env = Record<string, string | undefined>

/** The local stack's DynamoDB, on the port `npm start` reads (DYNAMODB_PORT). */
export const localDynamoDBEndpoint = (env: Env): string =>
  `http://127.0.0.1:${env.DYNAMODB_PORT || LOCAL_DEFAULTS.dynamodbPort}`

/** The local stack's SQS and S3 (fauxqs serves both on one port), on SQS_PORT. */
export const localSqsEndpoint = (env: Env): string =>
  `http://127.0.0.1:${env.SQS_PORT || LOCAL_DEFAULTS.sqsPort}`

/** The local stack's VOD API stand-in, on VOD_PORT. */
export const localVodEndpoint = (env: Env): string =>
  `http://127.0.0.1:${env.VOD_PORT || LOCAL_DEFAULTS.vodPort}`

/**
 * RESULT_TTL_DAYS as the deployment sets it, so that what an operator writes expires as stored
 * results do.
 * @throws {UsageError} naming the rule
 */
export function resultTtlDaysOf(env: Env): number | undefined {
  const ttl = v.safeParse(ResultTtlDaysSchema, env.RESULT_TTL_DAYS)
  if (!ttl.success) throw new UsageError(ttl.issues.map((issue) => issue.message).join('; '))
  return ttl.output
}

/**
 * Where a pull or reconcile run from the command line writes, as the function would: TABLE_NAME,
 * DYNAMODB_ENDPOINT, S3_ENDPOINT and the quarantine bucket (`bucket`, the option, first), each
 * else, with --local, the local stack's.
 * @throws {UsageError} naming an endpoint that is not a URL
 */
export function storeTargets(env: Env, local: boolean, bucket?: string) {
  const dynamodbEndpoint = env.DYNAMODB_ENDPOINT || (local ? localDynamoDBEndpoint(env) : undefined)
  const s3Endpoint = env.S3_ENDPOINT || (local ? localSqsEndpoint(env) : undefined)
  return {
    tableName: env.TABLE_NAME || LOCAL_DEFAULTS.tableName,
    dynamodbEndpoint: checkUrl(dynamodbEndpoint, 'the DynamoDB endpoint'),
    quarantineBucket:
      bucket || env.QUARANTINE_BUCKET || (local ? LOCAL_DEFAULTS.quarantineBucket : undefined),
    s3Endpoint: checkUrl(s3Endpoint, 'the S3 endpoint'),
  }
}

/**
 * `NAME=value ` for each setting that differs from npm start's default, so that a command line
 * printed for a local stack can be pasted as it is (the banner's, and send's).
 */
export function commandPrefix(
  settings: [name: string, value: string | number, fallback: string | number][],
) {
  return settings
    .filter(([, value, fallback]) => String(value) !== String(fallback))
    .map(([name, value]) => `${name}=${shellWord(String(value))} `)
    .join('')
}

/** What the stand-in's commands need of a stack to reach it (a port as a shell gives it too). */
export interface StandInStack {
  vodPort: number | string
  dynamodbPort: number | string
  sqsPort: number | string
  quarantineBucket: string
  tableName: string
  forwardUrl?: string
}

/**
 * The variables `npm run reconcile -- --local` and `npm run pull -- --local` need to reach `s`
 * (those that differ from the defaults), to put before a line to paste. The banner prints them;
 * so does `npm run send` after --as-task or --to-queue.
 */
export function standInCommandPrefixes(s: StandInStack): { reconcile: string; pull: string } {
  const d = LOCAL_DEFAULTS
  const reconcile = commandPrefix([
    ['VOD_PORT', s.vodPort, d.vodPort],
    ['DYNAMODB_PORT', s.dynamodbPort, d.dynamodbPort],
    ['SQS_PORT', s.sqsPort, d.sqsPort],
    ['QUARANTINE_BUCKET', s.quarantineBucket, d.quarantineBucket],
    ['TABLE_NAME', s.tableName, d.tableName],
  ])
  // The pull passes other event types on to FORWARD_URL, as the stack does.
  return { reconcile, pull: `${reconcile}${forwardUrlFromShell(s)}` }
}

/**
 * `FORWARD_URL="$FORWARD_URL" ` for a line that delivers events as the stack does (the pull, a
 * replay of the dead-letter queue), when the stack has one. The URL may carry a credential: the
 * line takes it from the shell's environment rather than printing it.
 */
export function forwardUrlFromShell(s: { forwardUrl?: string }): string {
  return s.forwardUrl ? 'FORWARD_URL="$FORWARD_URL" ' : ''
}

/**
 * A local stack's callback URL with a token: the first of `tokens` (a stack with several takes
 * any one), else the development token.
 */
export function localCallbackUrl(host: string, port: number | string, tokens?: string): string {
  const token = firstListed(tokens) ?? LOCAL_DEFAULTS.token
  return `http://${host}:${port}/vod/callback?token=${encodeURIComponent(token)}`
}
