/**
 * Load on the local stack, started as tests/e2e/local-stack.test.ts starts it (`npm start` on
 * free ports), with autocannon; then the table is counted, because serverless-offline answers a
 * Lambda error with a 200: the status codes alone prove nothing.
 */
import autocannon from 'autocannon'
import { legacyCallbackWith } from '../tests/support/fixtures'
import { countItems, startLocalStack, stopAndWait } from '../tests/support/local-stack'

const TOKEN = 'bench-token-0123456789abcdef'
const TABLE = 'vod-snapshots-bench'
const RESULTS_PER_CALLBACK = 10

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

/**
 * `callbacks` callbacks, `connections` in flight at a time, each of 10 results of a task of its
 * own. A fixed number rather than a duration: autocannon waits for every answer, so the table
 * must hold exactly what was sent, no callback still in flight when the count is taken.
 */
export async function measureE2e({ connections = 32, callbacks = 3000 } = {}): Promise<E2eFigures> {
  const stack = await startLocalStack(TOKEN, TABLE)
  try {
    let next = 0
    const result = await autocannon({
      url: stack.callbackUrl(),
      connections,
      amount: callbacks,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify(
              legacyCallbackWith(
                RESULTS_PER_CALLBACK,
                `CreateSnapshotByTimeOffset-bench-${next++}`,
              ),
            ),
          }),
        },
      ],
    })
    // The stack's table is new and in memory: every item in it comes from this run.
    const storedItems = await countItems(stack.dynamodbEndpoint, TABLE)
    return {
      callbacksPerSecond: result['2xx'] / result.duration,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      // autocannon's errors already count its timeouts; a callback not answered 2xx is one too.
      errors: Math.max(result.non2xx + result.errors, callbacks - result['2xx']),
      sent: callbacks,
      answered2xx: result['2xx'],
      storedItems,
      expectedItems: callbacks * RESULTS_PER_CALLBACK,
      startupMs: stack.startupMs,
    }
  } finally {
    const left = await stopAndWait(stack, 15_000)
    for (const pid of left) process.kill(pid, 'SIGKILL')
  }
}
