/**
 * `npm start`: the whole function on this machine. An in-process DynamoDB (dynalite) with the
 * table from serverless.yml, an in-process SQS and S3 (fauxqs) with the fallback queue and its
 * dead-letter queue from serverless.yml and the quarantine bucket, the redrive consuming that
 * queue as Lambda would, a stand-in for VOD's API (for `npm run pull -- --local` and
 * `npm run reconcile -- --local`), and the callback function behind serverless-offline's HTTP
 * API, until Ctrl-C or SIGTERM stops all.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { localSettingsOrExit } from '../lib/local/check-local-config'
import { freePort } from '../lib/local/free-port'
import { createSnapshotsTable, startDynalite } from '../lib/local/local-dynamodb'
import { listenError, waitUntilServing } from '../lib/local/local-ports'
import { startLocalQueues } from '../lib/local/local-queues'
import { startLocalRedrive } from '../lib/local/local-redrive'
import { readQueueDefinitions } from '../lib/local/queue-definitions'
import { readyBanner } from '../lib/local/ready-banner'
import { startVodStandIn } from '../lib/local/vod-stand-in'
import { localCallbackUrl } from '../lib/operator/local-stack'
import { forTerminal } from '../lib/operator/terminal-text'
import { LOCAL_CREDENTIALS } from '../lib/runtime/local-defaults'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SERVERLESS = fileURLToPath(
  new URL('../node_modules/serverless/bin/serverless.js', import.meta.url),
)
const STAGE = 'local'
const EXIT_WITH_PARENT = new URL('../lib/local/exit-with-parent.mjs', import.meta.url).href

const env = process.env
// Every setting checked first, in one line naming the rule when one is wrong.
const { port, dynamodbPort, sqsPort, vodPort, host, tableName, token, signKey, ...settings } =
  localSettingsOrExit(env)
// Passed on to the function below, so serverless.yml's own default never decides it.
const { quarantineBucket, forwardUrl } = settings

const started = performance.now()
const lambdaPort = settings.lambdaPort ?? (await freePort())
for (const [setting, p, address] of [
  ['PORT', port, host],
  ['DYNAMODB_PORT', dynamodbPort, '127.0.0.1'],
  ['SQS_PORT', sqsPort, '127.0.0.1'],
  ['VOD_PORT', vodPort, '127.0.0.1'],
  ['LAMBDA_PORT', lambdaPort, host],
] as const) {
  const error = await listenError(p, address)
  if (error === 'EADDRINUSE') {
    console.error(`Port ${p} on ${address} is in use: set ${setting} to a free port.`)
    process.exit(1)
  }
  if (error !== undefined) {
    console.error(
      `npm start: cannot listen on ${address}:${p} (${error}): check ${setting} and HOST`,
    )
    process.exit(1)
  }
}

// Only the tests set LOCAL_DYNAMODB_FAULT_SWITCH, to make the local DynamoDB fail on demand.
const faultSwitch = env.LOCAL_DYNAMODB_FAULT_SWITCH === 'on'
const definitions = await readQueueDefinitions(STAGE)
const [dynamodb, queues, vod] = await Promise.all([
  startDynalite(dynamodbPort, '127.0.0.1', { faultSwitch }).then(async (local) => {
    await createSnapshotsTable(local.endpoint, tableName)
    return local
  }),
  startLocalQueues(definitions, sqsPort, '127.0.0.1', [quarantineBucket]),
  startVodStandIn({ port: vodPort }),
])
const redrive = startLocalRedrive({
  queues,
  definitions,
  dynamodbEndpoint: dynamodb.endpoint,
  tableName,
  functionName: `vod-snapshots-${STAGE}-redrive`,
  forwardUrl,
})

const offline = spawn(
  process.execPath,
  ['--import', EXIT_WITH_PARENT, SERVERLESS, 'offline', 'start', '--stage', STAGE].concat([
    '--host',
    host,
    '--httpPort',
    String(port),
    '--lambdaPort',
    String(lambdaPort),
  ]),
  {
    cwd: ROOT,
    // Its own process group, so that stopping it stops everything it started.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...env,
      TABLE_NAME: tableName,
      CALLBACK_TOKEN: token,
      DYNAMODB_PORT: String(dynamodb.port),
      SQS_PORT: String(queues.port),
      FALLBACK_QUEUE_URL: queues.queueUrl,
      QUARANTINE_BUCKET: quarantineBucket,
      AWS_REGION: env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
  },
)

let stopping = false
async function stop(exitCode: number) {
  if (stopping) return
  stopping = true
  if (offline.exitCode === null && offline.pid) {
    const exited = new Promise((resolve) => offline.once('exit', resolve))
    process.kill(-offline.pid, 'SIGTERM')
    const timer = setTimeout(() => offline.pid && process.kill(-offline.pid, 'SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  // A batch in hand may be retrying against a failing DynamoDB: its messages come back to a
  // queue that stops with the stack anyway, so the stop does not wait for it long.
  await Promise.race([redrive.stop(), new Promise((resolve) => setTimeout(resolve, 2000))])
  await queues.close()
  await vod.close()
  await dynamodb.close()
  process.exit(exitCode)
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(signal, () => void stop(0))
// `npm start` runs this under a shell that does not pass SIGTERM on: when the parent goes away,
// this process is re-parented, and stops too rather than leave the stack running.
const parent = process.ppid
setInterval(() => process.ppid !== parent && void stop(0), 250).unref()
offline.once('exit', (code) => {
  if (!stopping) {
    console.error(`serverless-offline exited (${code}); stopping`)
    void stop(code || 1)
  }
})

try {
  await waitUntilServing(localCallbackUrl(host, port, token), () => offline.exitCode !== null, {
    signKey,
  })
} catch (error) {
  // What the function answered may be a stack trace: one line, escaped for the terminal.
  const reason = error instanceof Error ? error.message : String(error)
  console.error(`npm start: ${forTerminal(reason.replace(/\s*\n\s*/g, ' '))}`)
  await stop(1)
}
console.log(
  readyBanner({
    seconds: ((performance.now() - started) / 1000).toFixed(1),
    ...{ host, port, dynamodbPort: dynamodb.port, sqsPort: queues.port, lambdaPort },
    vodPort: Number(new URL(vod.endpoint).port),
    ...{
      tableName,
      token,
      quarantineBucket,
      queueUrl: queues.queueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      forwardUrl,
      signed: signKey !== undefined,
    },
  }),
)
