import * as v from 'valibot'
import { describeIssues } from './validation-issues'

/**
 * The first entry of a comma-separated list (CALLBACK_TOKEN, CALLBACK_SIGN_KEY), as the function
 * reads the list: what a local caller sends with, or signs with.
 */
export const firstListed = (raw: string | undefined): string | undefined =>
  raw
    ?.split(',')
    .map((entry) => entry.trim())
    .find((entry) => entry !== '')

/** Shortest token accepted: the token in the URL is the only proof a callback comes from VOD. */
const MIN_TOKEN_LENGTH = 16

const TokenListSchema = v.pipe(
  v.string('CALLBACK_TOKEN must be a string'),
  v.transform((raw) =>
    raw
      .split(',')
      .map((token) => token.trim())
      .filter((token) => token !== ''),
  ),
  v.nonEmpty('CALLBACK_TOKEN must hold at least one token'),
  // The message names the rule, never the value: this error reaches the logs.
  v.check(
    (tokens) => tokens.every((token) => token.length >= MIN_TOKEN_LENGTH),
    `every CALLBACK_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters`,
  ),
)

/** Shortest signing key accepted (VOD takes 1 to 32 letters and digits). */
const MIN_SIGN_KEY_LENGTH = 16

/** VOD's own rule for a `SignKey`: letters and digits, at most 32 characters. */
const SIGN_KEY = /^[A-Za-z0-9]{1,32}$/

/**
 * The keys VOD signs callbacks with, comma-separated so one can be rotated; empty (the default)
 * checks no signature.
 */
const SignKeyListSchema = v.pipe(
  v.optional(v.string('CALLBACK_SIGN_KEY must be a string'), ''),
  v.transform((raw) =>
    raw
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key !== ''),
  ),
  v.check(
    (keys) => keys.every((key) => SIGN_KEY.test(key)),
    'every CALLBACK_SIGN_KEY must be 1 to 32 letters and digits, as VOD requires',
  ),
  // Stricter than VOD: a short key is guessable, and it is replaced wherever it appears in a kept
  // body, so a key of a few characters would change the bodies the quarantine keeps.
  v.check(
    (keys) => keys.every((key) => key.length >= MIN_SIGN_KEY_LENGTH),
    `every CALLBACK_SIGN_KEY must be at least 16 characters`,
  ),
)

/** Days until DynamoDB may delete a result; empty or 0 keeps results for ever (the default). */
export const ResultTtlDaysSchema = v.pipe(
  v.optional(v.string(), ''),
  v.transform((raw) => (raw.trim() === '' ? 0 : Number(raw))),
  v.number('RESULT_TTL_DAYS must be a whole number of days'),
  v.integer('RESULT_TTL_DAYS must be a whole number of days'),
  v.minValue(0, 'RESULT_TTL_DAYS must not be negative'),
  // As the deploy's param check (lib/deploy/check-params.mjs): at most 100 years.
  v.maxValue(36_500, 'RESULT_TTL_DAYS must be at most 36500 days'),
  v.transform((days) => (days === 0 ? undefined : days)),
)

/** An AWS service endpoint; empty means the real service of the region (the local stage sets one). */
const EndpointSchema = v.pipe(
  v.optional(v.union([v.literal(''), v.pipe(v.string(), v.url())]), ''),
  v.transform((endpoint) => (endpoint === '' ? undefined : endpoint)),
)

/** A DynamoDB endpoint; empty means the real DynamoDB of the region (the local stage sets one). */
export const DynamoDBEndpointSchema = EndpointSchema

/** DynamoDB's rule for a table name, checked before the first write rather than by it. */
export const TableNameSchema = v.pipe(
  v.string('TABLE_NAME must be a string'),
  v.regex(
    /^[A-Za-z0-9_.-]{3,255}$/,
    'TABLE_NAME must be a DynamoDB table name: 3 to 255 letters, digits, _ . and -',
  ),
)

/** The function's environment, as the schema that checks it. */
const ConfigSchema = v.pipe(
  v.object({
    TABLE_NAME: TableNameSchema,
    CALLBACK_TOKEN: TokenListSchema,
    CALLBACK_SIGN_KEY: SignKeyListSchema,
    DYNAMODB_ENDPOINT: DynamoDBEndpointSchema,
    // Empty: no fallback queue (the local stage); results that cannot be stored are logged.
    FALLBACK_QUEUE_URL: v.optional(v.union([v.literal(''), v.pipe(v.string(), v.url())]), ''),
    // The local stage's SQS emulator; empty in AWS.
    SQS_ENDPOINT: EndpointSchema,
    RESULT_TTL_DAYS: ResultTtlDaysSchema,
    // Empty: rejected callbacks are kept only in the log.
    QUARANTINE_BUCKET: v.optional(v.string(), ''),
    // The local stage's S3 (the quarantine); empty in AWS.
    S3_ENDPOINT: EndpointSchema,
  }),
  v.transform((env) => ({
    tableName: env.TABLE_NAME,
    callbackTokens: env.CALLBACK_TOKEN,
    callbackSignKeys: env.CALLBACK_SIGN_KEY,
    quarantineBucket: env.QUARANTINE_BUCKET === '' ? undefined : env.QUARANTINE_BUCKET,
    s3Endpoint: env.S3_ENDPOINT,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
    fallbackQueueUrl: env.FALLBACK_QUEUE_URL === '' ? undefined : env.FALLBACK_QUEUE_URL,
    sqsEndpoint: env.SQS_ENDPOINT,
    resultTtlDays: env.RESULT_TTL_DAYS,
  })),
)

export type Config = v.InferOutput<typeof ConfigSchema>

/** Thrown at start-up when the environment cannot run the function. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * Reads and checks one function's environment against its schema, once, at start-up.
 * @throws {ConfigError} naming every problem (each names the rule, never the value)
 */
export function parseConfig<TSchema extends v.GenericSchema<Record<string, unknown>>>(
  schema: TSchema,
  env: Record<string, string | undefined>,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, env)
  if (!result.success) {
    throw new ConfigError(`Invalid configuration: ${describeIssues(result.issues).join('; ')}`)
  }
  return result.output
}

/**
 * Reads and checks the configuration once. A function without a valid token refuses to start
 * rather than accept callbacks from anyone.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  return parseConfig(ConfigSchema, env)
}

/** The redrive's environment: only what it needs, so it holds no callback token. */
export const RedriveConfigSchema = v.pipe(
  v.object({
    TABLE_NAME: TableNameSchema,
    RESULT_TTL_DAYS: ResultTtlDaysSchema,
    DYNAMODB_ENDPOINT: DynamoDBEndpointSchema,
  }),
  v.transform((env) => ({
    tableName: env.TABLE_NAME,
    resultTtlDays: env.RESULT_TTL_DAYS,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
  })),
)

/**
 * Reads and checks the redrive's configuration once, at start-up.
 * @throws {ConfigError} naming every problem
 */
export function loadRedriveConfig(
  env: Record<string, string | undefined>,
): v.InferOutput<typeof RedriveConfigSchema> {
  return parseConfig(RedriveConfigSchema, env)
}
