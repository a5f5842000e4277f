import { describe, expect, it } from 'vitest'
import { type LocalStackSettings, readyBanner } from '../../lib/local/ready-banner'

const QUEUE = 'http://sqs.us-east-1.localhost:9324/000000000000/vod-snapshots-local-fallback'
const DEFAULTS: LocalStackSettings = {
  seconds: '3.2',
  host: '127.0.0.1',
  port: 3000,
  dynamodbPort: 8000,
  sqsPort: 9324,
  lambdaPort: 41234,
  vodPort: 9400,
  tableName: 'vod-snapshots',
  token: 'local-development-token',
  quarantineBucket: 'vod-snapshots-quarantine',
  queueUrl: QUEUE,
  deadLetterQueueUrl: `${QUEUE}-dlq`,
}
const TASK = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'
// When the banner is printed: reconcile's line starts its window an hour before.
const NOW = new Date('2026-12-04T12:34:56.789Z')

describe('readyBanner', () => {
  it('prints where everything is, and commands that need no variable on the default ports', () => {
    expect(readyBanner(DEFAULTS, NOW)).toBe(`
vod-snapshots is ready (3.2 s)
  Callback URL:        http://127.0.0.1:3000/vod/callback?token=local-development-token
  DynamoDB (dynalite): http://127.0.0.1:8000   table: vod-snapshots
  SQS and S3 (fauxqs): http://127.0.0.1:9324
    fallback queue:    ${QUEUE}  (the redrive consumes it)
    dead-letter queue: ${QUEUE}-dlq
    quarantine bucket: vod-snapshots-quarantine  (rejected callbacks, kept whole)
  Lambda invoke API:   http://127.0.0.1:41234  (serverless-offline)
  VOD API stand-in:    http://127.0.0.1:9400  (event queue and tasks, for pull and reconcile)
  Events not stored:   not forwarded (set FORWARD_URL)

In another terminal:
  npm run send -- tests/fixtures/legacy-snapshot-success.json
  npm run query -- --local --task ${TASK}
  npm run replay -- --dlq --local
  npm run quarantine -- --list --local
  npm run send -- --to-queue tests/fixtures/v3-snapshot-success.json
  npm run pull -- --once --local
  npm run send -- --as-task tests/fixtures/v3-procedure-snapshot.json
  npm run reconcile -- --local --since 2026-12-04T11:34:56Z
Stop with Ctrl-C.
`)
  })

  it('puts the variables that differ from the defaults in front of each command, quoted', () => {
    const lines = readyBanner(
      {
        ...DEFAULTS,
        port: 3100,
        dynamodbPort: 8100,
        sqsPort: 9500,
        vodPort: 9401,
        tableName: 'my table',
        token: "it's-a-long-token-0123",
        quarantineBucket: 'my-quarantine',
      },
      NOW,
    ).split('\n')
    const local =
      "DYNAMODB_PORT=8100 SQS_PORT=9500 QUARANTINE_BUCKET=my-quarantine TABLE_NAME='my table'"
    expect(lines.slice(13, 21)).toStrictEqual([
      `  PORT=3100 CALLBACK_TOKEN='it'\\''s-a-long-token-0123' npm run send -- tests/fixtures/legacy-snapshot-success.json`,
      `  DYNAMODB_PORT=8100 TABLE_NAME='my table' npm run query -- --local --task ${TASK}`,
      `  DYNAMODB_PORT=8100 SQS_PORT=9500 TABLE_NAME='my table' npm run replay -- --dlq --local`,
      `  SQS_PORT=9500 QUARANTINE_BUCKET=my-quarantine DYNAMODB_PORT=8100 TABLE_NAME='my table' npm run quarantine -- --list --local`,
      // Given to send too: the command it prints next reaches the same stack.
      `  VOD_PORT=9401 ${local} npm run send -- --to-queue tests/fixtures/v3-snapshot-success.json`,
      `  VOD_PORT=9401 ${local} npm run pull -- --once --local`,
      `  VOD_PORT=9401 ${local} npm run send -- --as-task tests/fixtures/v3-procedure-snapshot.json`,
      `  VOD_PORT=9401 ${local} npm run reconcile -- --local --since 2026-12-04T11:34:56Z`,
    ])
  })

  it('says where the events it does not store go, and gives the pull and the replay that FORWARD_URL', () => {
    const banner = readyBanner({ ...DEFAULTS, forwardUrl: 'http://127.0.0.1:4000/' })
    expect(banner).toContain(
      '\n  Events not stored:   POSTed to http://127.0.0.1:4000/  (FORWARD_URL)\n',
    )
    expect(banner).toContain('\n  FORWARD_URL="$FORWARD_URL" npm run pull -- --once --local\n')
    expect(banner).toContain('\n  FORWARD_URL="$FORWARD_URL" npm run replay -- --dlq --local\n')
    expect(readyBanner(DEFAULTS)).not.toContain('FORWARD_URL="$FORWARD_URL"')
  })

  it('never prints the credentials or query values of FORWARD_URL', () => {
    // Found outside: the banner printed the receiver's ?key= secret.
    const banner = readyBanner({
      ...DEFAULTS,
      forwardUrl: 'http://hook-user:hook-pass@127.0.0.1:4000/hook?key=hook-secret-0123',
    })
    for (const secret of ['hook-user', 'hook-pass', 'hook-secret-0123']) {
      expect(banner).not.toContain(secret)
    }
    expect(banner).toContain('POSTed to http://***:***@127.0.0.1:4000/hook?key=***  (FORWARD_URL)')
  })

  it("starts reconcile's window an hour before the banner is printed", () => {
    const before = Date.now()
    const since = /npm run reconcile -- --local --since (\S+)\n/.exec(readyBanner(DEFAULTS))?.[1]
    const after = Date.now()
    expect(since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const sinceMs = Date.parse(since ?? '')
    expect(sinceMs).toBeGreaterThan(before - 3_600_000 - 1000)
    expect(sinceMs).toBeLessThanOrEqual(after - 3_600_000)
  })

  it('shows the callback URL with the first of several tokens, not the list', () => {
    // Found in review: the list as one token was a URL every request to got 401.
    const banner = readyBanner({
      ...DEFAULTS,
      host: '192.168.1.20',
      token: 'first-token-0123456789,second-token-0123456789',
    })
    expect(banner).toContain(
      'Callback URL:        http://192.168.1.20:3000/vod/callback?token=first-token-0123456789\n',
    )
    expect(banner).toContain(
      "--url 'http://192.168.1.20:3000/vod/callback?token=first-token-0123456789'",
    )
    expect(banner).not.toContain('%2C')
  })

  it('gives send the whole URL when the stack listens on another address', () => {
    const lines = readyBanner({ ...DEFAULTS, host: '192.168.1.20' }).split('\n')
    expect(lines[13]).toBe(
      "  npm run send -- tests/fixtures/legacy-snapshot-success.json --url 'http://192.168.1.20:3000/vod/callback?token=local-development-token'",
    )
  })

  it('has send sign as VOD does when the stack checks signatures, naming the key, never printing it', () => {
    // Found outside: the banner's send line was refused 401 by a stack with a SignKey.
    const banner = readyBanner({ ...DEFAULTS, signed: true })
    expect(banner).toContain(
      '\n  CALLBACK_SIGN_KEY="$CALLBACK_SIGN_KEY" npm run send -- tests/fixtures/legacy-snapshot-success.json\n',
    )
    expect(readyBanner(DEFAULTS)).not.toContain('CALLBACK_SIGN_KEY')
  })
})
