import { maskUrl } from '../forward/masked-url'
import {
  forwardUrlFromShell,
  localCallbackUrl,
  commandPrefix as prefix,
  standInCommandPrefixes,
} from '../operator/local-stack'
import { shellWord } from '../operator/terminal-text'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
import { vodTime } from '../runtime/vod-time'

/** What `npm start` started, as its banner shows it. */
export interface LocalStackSettings {
  seconds: string
  host: string
  port: number
  dynamodbPort: number
  sqsPort: number
  lambdaPort: number
  /** The VOD API stand-in's port (VOD_PORT). */
  vodPort: number
  tableName: string
  token: string
  quarantineBucket: string
  queueUrl: string
  deadLetterQueueUrl: string
  /** FORWARD_URL: where events that store nothing are delivered; undefined when unset. */
  forwardUrl?: string
  /** Whether CALLBACK_SIGN_KEY is set: `npm run send` must sign as VOD does. */
  signed?: boolean
}

/** The body `npm run send` is shown with: the documented example, in the repository. */
const EXAMPLE = 'tests/fixtures/legacy-snapshot-success.json'
const EXAMPLE_TASK = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'
/** What the stand-in lines put in VOD's queue, and in its tasks as a missed callback would. */
const EXAMPLE_QUEUED = 'tests/fixtures/v3-snapshot-success.json'
const EXAMPLE_MISSED = 'tests/fixtures/v3-procedure-snapshot.json'

/**
 * The "ready" banner: where everything is, and `send`, `query`, `replay` and `quarantine` lines
 * to paste into another terminal, carrying the variables that differ from the defaults those
 * commands assume (the quarantine line carries the table too, so that it can become a replay).
 * Then the VOD stand-in's lines: an event into its queue and `pull`, a finished task into it and
 * `reconcile` over the hour before `now`.
 */
export function readyBanner(s: LocalStackSettings, now: Date = new Date()): string {
  const withToken = localCallbackUrl(s.host, s.port, s.token)
  const d = LOCAL_DEFAULTS
  const table: [string, string, string] = ['TABLE_NAME', s.tableName, d.tableName]
  const dynamodb: [string, number, number] = ['DYNAMODB_PORT', s.dynamodbPort, d.dynamodbPort]
  // `send` assumes 127.0.0.1; a stack listening on another address is given its URL.
  // A stack that checks signatures is sent signed callbacks; the key is a secret, so the line
  // takes it from the shell's environment rather than printing it.
  const signed = s.signed ? 'CALLBACK_SIGN_KEY="$CALLBACK_SIGN_KEY" ' : ''
  const send = ['127.0.0.1', '0.0.0.0', 'localhost'].includes(s.host)
    ? `${prefix([
        ['PORT', s.port, d.port],
        ['CALLBACK_TOKEN', s.token, d.token],
      ])}${signed}npm run send -- ${EXAMPLE}`
    : `${signed}npm run send -- ${EXAMPLE} --url ${shellWord(withToken)}`
  const query = prefix([dynamodb, table])
  const sqs: [string, number, number] = ['SQS_PORT', s.sqsPort, d.sqsPort]
  // The dead-letter queue may hold events the bus did not take: a replay delivers them there.
  const replay = `${prefix([dynamodb, sqs, table])}${forwardUrlFromShell(s)}`
  const bucket: [string, string, string] = [
    'QUARANTINE_BUCKET',
    s.quarantineBucket,
    d.quarantineBucket,
  ]
  const quarantine = prefix([sqs, bucket, dynamodb, table])
  const { reconcile, pull } = standInCommandPrefixes(s)
  const since = vodTime(now.getTime() - 3_600_000)
  return `
vod-snapshots is ready (${s.seconds} s)
  Callback URL:        ${withToken}
  DynamoDB (dynalite): http://127.0.0.1:${s.dynamodbPort}   table: ${s.tableName}
  SQS and S3 (fauxqs): http://127.0.0.1:${s.sqsPort}
    fallback queue:    ${s.queueUrl}  (the redrive consumes it)
    dead-letter queue: ${s.deadLetterQueueUrl}
    quarantine bucket: ${s.quarantineBucket}  (rejected callbacks, kept whole)
  Lambda invoke API:   http://${s.host}:${s.lambdaPort}  (serverless-offline)
  VOD API stand-in:    http://127.0.0.1:${s.vodPort}  (event queue and tasks, for pull and reconcile)
  Events not stored:   ${s.forwardUrl ? `POSTed to ${maskUrl(s.forwardUrl)}  (FORWARD_URL)` : 'not forwarded (set FORWARD_URL)'}

In another terminal:
  ${send}
  ${query}npm run query -- --local --task ${EXAMPLE_TASK}
  ${replay}npm run replay -- --dlq --local
  ${quarantine}npm run quarantine -- --list --local
  ${pull}npm run send -- --to-queue ${EXAMPLE_QUEUED}
  ${pull}npm run pull -- --once --local
  ${reconcile}npm run send -- --as-task ${EXAMPLE_MISSED}
  ${reconcile}npm run reconcile -- --local --since ${since}
Stop with Ctrl-C.
`
}
