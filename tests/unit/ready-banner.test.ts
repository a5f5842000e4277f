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
  tableName: 'vod-snapshots',
  token: 'local-development-token',
  quarantineBucket: 'vod-snapshots-quarantine',
  queueUrl: QUEUE,
  deadLetterQueueUrl: `${QUEUE}-dlq`,
}
const TASK = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'

describe('readyBanner', () => {
  it('prints where everything is, and commands that need no variable on the default ports', () => {
    expect(readyBanner(DEFAULTS)).toBe(`
vod-snapshots is ready (3.2 s)
  Callback URL:        http://127.0.0.1:3000/vod/callback?token=local-development-token
  DynamoDB (dynalite): http://127.0.0.1:8000   table: vod-snapshots
  SQS and S3 (fauxqs): http://127.0.0.1:9324
    fallback queue:    ${QUEUE}  (the redrive consumes it)
    dead-letter queue: ${QUEUE}-dlq
    quarantine bucket: vod-snapshots-quarantine  (rejected callbacks, kept whole)
  Lambda invoke API:   http://127.0.0.1:41234  (serverless-offline)
  Events not stored:   not forwarded (set FORWARD_URL)

In another terminal:
  npm run send -- tests/fixtures/legacy-snapshot-success.json
  npm run query -- --local --task ${TASK}
  npm run replay -- --dlq --local
  npm run quarantine -- --list --local
Stop with Ctrl-C.
`)
  })

  it('puts the variables that differ from the defaults in front of each command, quoted', () => {
    const lines = readyBanner({
      ...DEFAULTS,
      port: 3100,
      dynamodbPort: 8100,
      sqsPort: 9400,
      tableName: 'my table',
      token: "it's-a-long-token-0123",
      quarantineBucket: 'my-quarantine',
    }).split('\n')
    expect(lines.slice(12, 16)).toStrictEqual([
      `  PORT=3100 CALLBACK_TOKEN='it'\\''s-a-long-token-0123' npm run send -- tests/fixtures/legacy-snapshot-success.json`,
      `  DYNAMODB_PORT=8100 TABLE_NAME='my table' npm run query -- --local --task ${TASK}`,
      `  DYNAMODB_PORT=8100 SQS_PORT=9400 TABLE_NAME='my table' npm run replay -- --dlq --local`,
      `  SQS_PORT=9400 QUARANTINE_BUCKET=my-quarantine DYNAMODB_PORT=8100 TABLE_NAME='my table' npm run quarantine -- --list --local`,
    ])
  })

  it('says where the events it does not store go', () => {
    expect(readyBanner({ ...DEFAULTS, forwardUrl: 'http://127.0.0.1:4000/' })).toContain(
      '\n  Events not stored:   POSTed to http://127.0.0.1:4000/  (FORWARD_URL)\n',
    )
  })

  it('gives send the whole URL when the stack listens on another address', () => {
    const lines = readyBanner({ ...DEFAULTS, host: '192.168.1.20' }).split('\n')
    expect(lines[12]).toBe(
      "  npm run send -- tests/fixtures/legacy-snapshot-success.json --url 'http://192.168.1.20:3000/vod/callback?token=local-development-token'",
    )
  })
})
