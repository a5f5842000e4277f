/**
 * `npm start`: the whole function on this machine. An in-process DynamoDB (dynalite) with the
 * table from serverless.yml, and the function behind serverless-offline's HTTP API, until
 * Ctrl-C or SIGTERM stops both.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { exitOnInvalidConfig } from '../lib/local/check-local-config'
import { freePort } from '../lib/local/free-port'
import { createSnapshotsTable, startDynalite } from '../lib/local/local-dynamodb'
import { LOCAL_CREDENTIALS, LOCAL_DEFAULTS } from '../lib/runtime/local-defaults'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SERVERLESS = fileURLToPath(
  new URL('../node_modules/serverless/bin/serverless.js', import.meta.url),
)

const port = Number(process.env.PORT ?? LOCAL_DEFAULTS.port)
const dynamodbPort = Number(process.env.DYNAMODB_PORT ?? LOCAL_DEFAULTS.dynamodbPort)
const host = process.env.HOST ?? '127.0.0.1'
const tableName = process.env.TABLE_NAME ?? LOCAL_DEFAULTS.tableName
const token = process.env.CALLBACK_TOKEN ?? LOCAL_DEFAULTS.token
const signKey = process.env.CALLBACK_SIGN_KEY
exitOnInvalidConfig({ TABLE_NAME: tableName, CALLBACK_TOKEN: token, CALLBACK_SIGN_KEY: signKey })

/** Resolves once the function answers (a callback without token gets its 401). */
async function waitUntilServing(url: string, child: ChildProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('serverless-offline exited during start-up')
    try {
      const response = await fetch(url, { method: 'POST', body: '{}' })
      if (response.status === 401) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the function did not answer at ${url} within ${timeoutMs / 1000} s`)
}

/** Exits with a message naming the setting when a port is taken, instead of a stack trace. */
async function checkPortFree(port: number, address: string, setting: string) {
  const probe = createServer()
  const taken = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(true))
    probe.listen(port, address, () => probe.close(() => resolve(false)))
  })
  if (taken) {
    console.error(`Port ${port} on ${address} is in use: set ${setting} to a free port.`)
    process.exit(1)
  }
}

const started = performance.now()
await checkPortFree(port, host, 'PORT')
await checkPortFree(dynamodbPort, '127.0.0.1', 'DYNAMODB_PORT')
const dynamodb = await startDynalite(dynamodbPort, '127.0.0.1')
await createSnapshotsTable(dynamodb.endpoint, tableName)

const offline = spawn(
  process.execPath,
  [
    SERVERLESS,
    'offline',
    'start',
    '--stage',
    'local',
    '--host',
    host,
    '--httpPort',
    String(port),
    '--lambdaPort',
    String(await freePort()),
  ],
  {
    cwd: ROOT,
    // Its own process group, so that stopping it stops everything it started.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      TABLE_NAME: tableName,
      CALLBACK_TOKEN: token,
      DYNAMODB_PORT: String(dynamodb.port),
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      // Lambda runs Node 22; the SDK's notice about older versions is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
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

const callbackUrl = `http://${host}:${port}/vod/callback`
try {
  await waitUntilServing(callbackUrl, offline)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  await stop(1)
}
const seconds = ((performance.now() - started) / 1000).toFixed(1)
console.log(`
vod-snapshots is ready (${seconds} s)
  DynamoDB (dynalite): ${dynamodb.endpoint}   table: ${tableName}
  Callback URL:        ${callbackUrl}?token=${encodeURIComponent(token)}
Stop with Ctrl-C.
`)
