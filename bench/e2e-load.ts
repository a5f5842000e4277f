/**
 * Load on the local stack, started as tests/e2e/local-stack.test.ts starts it (`npm start` on
 * free ports), with autocannon; then the table is counted, because serverless-offline answers a
 * Lambda error with a 200: the status codes alone prove nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb'
import autocannon from 'autocannon'
import { freePort } from '../scripts/free-port'
import { localClient } from '../scripts/local-dynamodb'
import { legacyCallbackWith } from '../tests/support/fixtures'
import { ROOT } from './bundle'
import { alive, descendantsOf } from './processes'

const TOKEN = 'bench-token-0123456789abcdef'
const TABLE = 'vod-snapshots-bench'
export const RESULTS_PER_CALLBACK = 10

export interface E2eFigures {
  callbacksPerSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
  sent: number
  answered2xx: number
  storedItems: number
  expectedItems: number
  startupMs: number
}

async function startStack(port: number, dynamodbPort: number): Promise<ChildProcess> {
  const stack = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamodbPort),
      CALLBACK_TOKEN: TOKEN,
      TABLE_NAME: TABLE,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  stack.stderr?.on('data', (chunk) => {
    output += chunk
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 60 s:\n${output}`)), 60_000)
    stack.stdout?.on('data', (chunk) => {
      output += chunk
      if (output.includes('vod-snapshots is ready')) {
        clearTimeout(timer)
        resolve()
      }
    })
    stack.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)))
  })
  return stack
}

/** SIGTERM to npm, then wait until everything it started has ended (SIGKILL after 15 s). */
async function stopStack(stack: ChildProcess) {
  const started = descendantsOf(stack.pid ?? -1)
  if (stack.exitCode === null && stack.signalCode === null) {
    stack.kill('SIGTERM')
    await once(stack, 'exit')
  }
  const deadline = Date.now() + 15_000
  while (started.some(alive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  for (const pid of started.filter(alive)) process.kill(pid, 'SIGKILL')
}

async function countItems(dynamodbPort: number): Promise<number> {
  const client = localClient(`http://127.0.0.1:${dynamodbPort}`)
  let count = 0
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined
  do {
    const page = await client.send(
      new ScanCommand({ TableName: TABLE, Select: 'COUNT', ExclusiveStartKey }),
    )
    count += page.Count ?? 0
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey)
  client.destroy()
  return count
}

/** `connections` callbacks in flight for `seconds`, each of 10 results of a task of its own. */
export async function measureE2e({ connections = 32, seconds = 10 } = {}): Promise<E2eFigures> {
  const port = await freePort()
  const dynamodbPort = await freePort()
  const started = performance.now()
  const stack = await startStack(port, dynamodbPort)
  const startupMs = performance.now() - started
  try {
    let sent = 0
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/vod/callback?token=${TOKEN}`,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify(
              legacyCallbackWith(
                RESULTS_PER_CALLBACK,
                `CreateSnapshotByTimeOffset-bench-${++sent}`,
              ),
            ),
          }),
        },
      ],
    })
    const storedItems = await countItems(dynamodbPort)
    return {
      callbacksPerSecond: result['2xx'] / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      // autocannon's errors already count its timeouts.
      errors: result.non2xx + result.errors,
      sent,
      answered2xx: result['2xx'],
      storedItems,
      expectedItems: result['2xx'] * RESULTS_PER_CALLBACK,
      startupMs,
    }
  } finally {
    await stopStack(stack)
  }
}
