import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm'
import * as v from 'valibot'
import {
  ConfigError,
  DynamoDBEndpointSchema,
  parseConfig,
  ResultTtlDaysSchema,
  TableNameSchema,
} from '../runtime/config'
import { registerSecrets } from '../runtime/redaction'
import { type TencentCredentials, TencentCredentialsSchema, vodHttpProfile } from './vod-client'

const nonEmpty = (name: string) =>
  v.pipe(v.string(`${name} must be a string`), v.nonEmpty(`${name} must not be empty`))

/** The pull function's environment, as the schema that checks it. */
const PullConfigSchema = v.pipe(
  v.object({
    TABLE_NAME: TableNameSchema,
    DYNAMODB_ENDPOINT: DynamoDBEndpointSchema,
    RESULT_TTL_DAYS: ResultTtlDaysSchema,
    VOD_REGION: nonEmpty('VOD_REGION'),
    // Empty: the SDK's endpoint. A host such as vod.intl.tencentcloudapi.com, or a URL.
    VOD_ENDPOINT: v.optional(
      v.pipe(
        v.string(),
        v.check((endpoint) => {
          try {
            vodHttpProfile(endpoint)
            return true
          } catch {
            return false
          }
        }, 'VOD_ENDPOINT must be a host or an http(s) URL without a path'),
      ),
      '',
    ),
    // Accounts opened since 2023-12-25 must name their VOD application.
    VOD_SUBAPP_ID: v.optional(
      v.union([
        v.literal(''),
        v.pipe(
          v.string(),
          v.regex(/^[1-9]\d{0,15}$/, 'VOD_SUBAPP_ID must be a VOD application ID'),
        ),
      ]),
      '',
    ),
    // The bucket of kept bodies: invalid events, events too large for EventBridge. Empty: the log.
    QUARANTINE_BUCKET: v.optional(v.string(), ''),
    // The name of the SecureString parameter holding {"secretId":"...","secretKey":"..."}.
    TENCENT_SECRET_PARAMETER: nonEmpty('TENCENT_SECRET_PARAMETER'),
  }),
  v.transform((env) => ({
    tableName: env.TABLE_NAME,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
    resultTtlDays: env.RESULT_TTL_DAYS,
    vodRegion: env.VOD_REGION,
    vodEndpoint: env.VOD_ENDPOINT || undefined,
    subAppId: env.VOD_SUBAPP_ID === '' ? undefined : Number(env.VOD_SUBAPP_ID),
    secretParameter: env.TENCENT_SECRET_PARAMETER,
    quarantineBucket: env.QUARANTINE_BUCKET === '' ? undefined : env.QUARANTINE_BUCKET,
  })),
)

export type PullConfig = v.InferOutput<typeof PullConfigSchema>

/**
 * Reads and checks the pull function's configuration once, at start-up.
 * @throws {ConfigError} naming every problem
 */
export function loadPullConfig(env: Record<string, string | undefined>): PullConfig {
  return parseConfig(PullConfigSchema, env)
}

/**
 * Reads the Tencent Cloud API key from an SSM SecureString parameter (JSON `secretId`,
 * `secretKey`), decrypted. Error messages name the parameter and the fields, never a value.
 *
 * @throws {ConfigError} when the parameter is not that JSON; the SDK's error when unreadable
 */
export async function readTencentCredentials(
  ssm: SSMClient,
  name: string,
): Promise<TencentCredentials> {
  const { Parameter } = await ssm.send(
    new GetParameterCommand({ Name: name, WithDecryption: true }),
  )
  let json: unknown
  try {
    json = JSON.parse(Parameter?.Value ?? '')
  } catch {
    throw new ConfigError(`SSM parameter ${name} must hold JSON {"secretId":"…","secretKey":"…"}`)
  }
  const result = v.safeParse(TencentCredentialsSchema, json)
  if (!result.success) {
    const problems = result.issues.map(
      (issue) => `${v.getDotPath(issue) ?? 'value'}: ${issue.message}`,
    )
    throw new ConfigError(`SSM parameter ${name}: ${problems.join('; ')}`)
  }
  // From now on no log line of this process holds the key, however it is spelled.
  registerSecrets([result.output.secretKey])
  return result.output
}

/**
 * Builds the client on first use and keeps it for the container's life. A failed read is not
 * kept: the next invocation reads the parameter again (e.g. once it has been created).
 */
export function lazyVodClient<T>(build: () => Promise<T>): () => Promise<T> {
  let client: Promise<T> | undefined
  return () => {
    client ??= build().catch((error) => {
      client = undefined
      throw error
    })
    return client
  }
}
