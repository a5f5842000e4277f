import { ConfigError, loadConfig } from '../runtime/config'

// S3's rules for a general purpose bucket name (dots aside, which only cost path-style URLs).
const BUCKET_NAME = /^(?!xn--|sthree-)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

/**
 * Checks the configuration the local function will start with, the same way the function does,
 * before anything starts. serverless-offline reports a function that fails to load as an HTTP
 * 200 with a stack trace, on every callback: `npm start` refuses instead, in one line naming
 * the rule, and exits 1. The quarantine bucket, which the function only names, is checked
 * against S3's naming rules, as npm start creates it first.
 */
export function exitOnInvalidConfig(env: Record<string, string | undefined>): void {
  try {
    loadConfig(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`npm start: ${error.message}`)
    process.exit(1)
  }
  const bucket = env.QUARANTINE_BUCKET
  if (bucket !== undefined && !BUCKET_NAME.test(bucket)) {
    console.error(
      'npm start: Invalid configuration: QUARANTINE_BUCKET: must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
    )
    process.exit(1)
  }
}
