import { ConfigError, loadConfig } from '../runtime/config'

/**
 * Checks the configuration the local function will start with, the same way the function does,
 * before anything starts. serverless-offline reports a function that fails to load as an HTTP
 * 200 with a stack trace, on every callback: `npm start` refuses instead, in one line naming
 * the rule, and exits 1.
 */
export function exitOnInvalidConfig(env: Record<string, string | undefined>): void {
  try {
    loadConfig(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`npm start: ${error.message}`)
    process.exit(1)
  }
}
