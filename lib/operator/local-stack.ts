import * as v from 'valibot'
import { ResultTtlDaysSchema } from '../runtime/config'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
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
