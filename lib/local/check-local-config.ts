import { isIP } from 'node:net'
import * as v from 'valibot'
import { loadForwardConfig } from '../forward/forward-config'
import { ConfigError, loadConfig, parseConfig } from '../runtime/config'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'

// S3's rules for a general purpose bucket name (dots aside, which only cost path-style URLs).
const BUCKET_NAME = /^(?!xn--|sthree-)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

// A host name of letters, digits and hyphens in dot-separated labels; not digits alone, which
// would be a mistyped IP address (999.1.1.1).
const HOST_NAME =
  /^(?!\d+(\.\d+)*$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

/** A port setting: a whole number from 1 to 65535; unset or empty, `fallback`. */
const port = <Fallback extends number | undefined>(fallback: Fallback) =>
  v.pipe(
    v.optional(v.string(), ''),
    // The path names the setting: "PORT: must be ...".
    v.check(
      (raw) => raw === '' || (/^\d{1,5}$/.test(raw) && +raw >= 1 && +raw <= 65535),
      'must be a port number, 1 to 65535',
    ),
    v.transform((raw): number | Fallback => (raw === '' ? fallback : Number(raw))),
  )

const LocalSettingsSchema = v.pipe(
  v.object({
    PORT: port(LOCAL_DEFAULTS.port),
    DYNAMODB_PORT: port(LOCAL_DEFAULTS.dynamodbPort),
    SQS_PORT: port(LOCAL_DEFAULTS.sqsPort),
    VOD_PORT: port(LOCAL_DEFAULTS.vodPort),
    // Unset: any free port.
    LAMBDA_PORT: port(undefined),
    HOST: v.pipe(
      v.optional(v.string(), ''),
      v.transform((raw) => raw || '127.0.0.1'),
      v.check(
        // An IPv6 address would need brackets in every URL the stack prints and probes.
        (host) => isIP(host) === 4 || (isIP(host) === 0 && HOST_NAME.test(host)),
        'HOST must be an IPv4 address or a host name',
      ),
    ),
    QUARANTINE_BUCKET: v.pipe(
      v.optional(v.string(), ''),
      v.transform((raw) => raw || LOCAL_DEFAULTS.quarantineBucket),
      v.regex(
        BUCKET_NAME,
        'must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
      ),
    ),
  }),
  v.check((env) => {
    const ports = [env.PORT, env.DYNAMODB_PORT, env.SQS_PORT, env.VOD_PORT, env.LAMBDA_PORT]
    const set = ports.filter((value) => value !== undefined)
    return new Set(set).size === set.length
  }, 'PORT, DYNAMODB_PORT, SQS_PORT, VOD_PORT and LAMBDA_PORT must be different ports'),
)

/** What `npm start` runs with: its settings, each checked, defaults filled in. */
export interface LocalSettings {
  port: number
  dynamodbPort: number
  sqsPort: number
  vodPort: number
  /** Undefined: any free port. */
  lambdaPort?: number
  host: string
  tableName: string
  token: string
  /** The first of CALLBACK_SIGN_KEY's keys, the one callbacks are signed with; undefined: none. */
  signKey?: string
  quarantineBucket: string
  forwardUrl?: string
}

/**
 * Reads npm start's settings and checks them, and the configuration the local function will
 * start with the same way the function does.
 * @throws {ConfigError} naming the rule, never the value
 */
export function readLocalSettings(env: Record<string, string | undefined>): LocalSettings {
  // Empty, as every other setting of npm start: the default.
  const tableName = env.TABLE_NAME || LOCAL_DEFAULTS.tableName
  const token = env.CALLBACK_TOKEN ?? LOCAL_DEFAULTS.token
  const local = parseConfig(LocalSettingsSchema, env)
  // As serverless.yml's local stage passes them to the function.
  const config = loadConfig({
    TABLE_NAME: tableName,
    CALLBACK_TOKEN: token,
    CALLBACK_SIGN_KEY: env.CALLBACK_SIGN_KEY,
    QUARANTINE_BUCKET: local.QUARANTINE_BUCKET,
  })
  const { forwardUrl } = loadForwardConfig({ FORWARD_URL: env.FORWARD_URL })
  return {
    port: local.PORT,
    dynamodbPort: local.DYNAMODB_PORT,
    sqsPort: local.SQS_PORT,
    vodPort: local.VOD_PORT,
    lambdaPort: local.LAMBDA_PORT,
    host: local.HOST,
    tableName,
    token,
    signKey: config.callbackSignKeys[0],
    quarantineBucket: local.QUARANTINE_BUCKET,
    forwardUrl,
  }
}

/**
 * {@link readLocalSettings} before anything starts. serverless-offline reports a function that
 * fails to load as an HTTP 200 with a stack trace, on every callback, and a bad port would end
 * in a stack trace: `npm start` refuses instead, in one line naming the rule, and exits 1.
 */
export function localSettingsOrExit(env: Record<string, string | undefined>): LocalSettings {
  try {
    return readLocalSettings(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`npm start: ${error.message}`)
    process.exit(1)
  }
}
