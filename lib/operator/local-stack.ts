import * as v from 'valibot'
import { ResultTtlDaysSchema } from '../runtime/config'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
import { UsageError } from './usage-error'

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
