import autocannon from 'autocannon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { legacyCallbackWith } from '../support/fixtures'
import { countItems, type LocalStack, startLocalStack } from '../support/local-stack'

const TOKEN = 'load-test-token-0123456789'
const TABLE = 'vod-snapshots-load'
const CALLBACKS = 1000
const RESULTS_PER_CALLBACK = 10
const CONNECTIONS = 50

let stack: LocalStack
let result: autocannon.Result

beforeAll(async () => {
  stack = await startLocalStack(TOKEN, TABLE)
  let sent = 0
  result = await autocannon({
    url: stack.callbackUrl(),
    connections: CONNECTIONS,
    amount: CALLBACKS,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        // A distinct task per callback, as VOD sends them: 10,000 distinct items in all.
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify(legacyCallbackWith(RESULTS_PER_CALLBACK, `load-${sent++}`)),
        }),
      },
    ],
  })
  const { p50, p99, max } = result.latency
  console.info(
    `load: ${CALLBACKS} callbacks x ${RESULTS_PER_CALLBACK} results at ${CONNECTIONS} connections:`,
    {
      p50,
      p99,
      max,
      requestsPerSecond: result.requests.average,
      non2xx: result.non2xx,
      errors: result.errors,
    },
  )
}, 180_000)

afterAll(() => stack?.stop())

describe(`${CALLBACKS} callbacks of ${RESULTS_PER_CALLBACK} results at ${CONNECTIONS} connections`, () => {
  it('answers every one with a 2xx, without errors or timeouts', () => {
    expect(result['2xx']).toBe(CALLBACKS)
    expect(result.non2xx).toBe(0)
    expect(result.errors).toBe(0)
    expect(result.timeouts).toBe(0)
  })

  it('stores exactly 10,000 items, read back from the table', async () => {
    // serverless-offline answers 200 even when the function fails: only the table can tell.
    expect(await countItems(stack.dynamodbEndpoint, TABLE)).toBe(CALLBACKS * RESULTS_PER_CALLBACK)
  })

  it('never writes the token to its logs', () => {
    const logs = stack.output().split('Stop with Ctrl-C.')[1] ?? ''
    expect(logs).toContain('callback stored')
    expect(logs).not.toContain(TOKEN)
  })
})
