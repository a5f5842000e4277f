import { describe, expect, it } from 'vitest'
import { npmStartUntilExit } from '../support/local-stack'

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '')

describe('npm start with an invalid configuration', () => {
  it.each([
    [
      'a CALLBACK_TOKEN under 16 characters',
      { CALLBACK_TOKEN: 'short-token' },
      'npm start: Invalid configuration: CALLBACK_TOKEN: every CALLBACK_TOKEN must be at least 16 characters',
    ],
    [
      'a CALLBACK_SIGN_KEY VOD would not accept',
      { CALLBACK_TOKEN: 'e2e-token-0123456789abcdef', CALLBACK_SIGN_KEY: 'not-a-sign-key-at-all!' },
      'npm start: Invalid configuration: CALLBACK_SIGN_KEY: every CALLBACK_SIGN_KEY must be 1 to 32 letters and digits, as VOD requires',
    ],
    [
      'a QUARANTINE_BUCKET S3 would not create',
      { CALLBACK_TOKEN: 'e2e-token-0123456789abcdef', QUARANTINE_BUCKET: 'Not_A_Bucket!' },
      'npm start: Invalid configuration: QUARANTINE_BUCKET: must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
    ],
    [
      'a port that is not a number',
      { CALLBACK_TOKEN: 'e2e-token-0123456789abcdef', SQS_PORT: 'not-a-port' },
      'npm start: Invalid configuration: SQS_PORT: must be a port number, 1 to 65535',
    ],
    [
      // Found outside: the function failed to load, yet the banner said ready and every
      // callback was answered 200 with a stack trace.
      'a FORWARD_URL that is not http(s)',
      { CALLBACK_TOKEN: 'e2e-token-0123456789abcdef', FORWARD_URL: 'ftp://not-a-receiver' },
      'npm start: Invalid configuration: FORWARD_URL: FORWARD_URL must be an http(s) URL',
    ],
  ])(
    'refuses to start with %s, in one line naming the rule',
    async (_, env, line) => {
      const run = await npmStartUntilExit(env)

      expect(run.code).toBe(1)
      expect(run.stdout).not.toContain('ready')
      // npm adds its own lines after a failed script; the script printed exactly one.
      expect(lines(run.stderr).filter((text) => text.startsWith('npm start:'))).toStrictEqual([
        line,
      ])
      // The line names the rule, never a value it was given.
      for (const value of Object.values(env)) expect(run.stderr).not.toContain(value)
      expect(run.stderr).not.toMatch(/\n\s+at /)
    },
    60_000,
  )
})
