import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { lazySqsFallbackQueue } from '../../lib/durability/lazy-fallback-queue'
import { createSnapshotsClient } from '../../lib/runtime/dynamodb-client'
import { toSnapshotItem } from '../../lib/store/snapshot-item'
import { STORE_CONCURRENCY } from '../../lib/store/snapshot-store'

// A service that takes every request and never answers: a hung connection.
let server: Server
let endpoint: string
let requests = 0
beforeAll(async () => {
  server = createServer(() => {
    requests++
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
beforeEach(() => {
  requests = 0
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

/** The functions' DynamoDB client, on the service that never answers. */
const storeClient = () =>
  createSnapshotsClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  })

/** How `work` ended, and after how many ms; "still waiting" when it had not after `limitMs`. */
async function outcome(work: Promise<unknown>, limitMs: number) {
  const started = performance.now()
  const ended = await Promise.race([
    work.then(
      () => 'answered',
      (error: Error) => error.name,
    ),
    new Promise((resolve) => setTimeout(resolve, limitMs, 'still waiting')),
  ])
  return { ended, ms: performance.now() - started }
}

describe('the store’s client', () => {
  it('has a socket for a round the store gave up on and a whole round after it', async () => {
    const client = storeClient()
    // Two rounds of the store's requests, none answered: each needs a connection of its own.
    const sends = Array.from({ length: 2 * STORE_CONCURRENCY }, () =>
      client.send(new DescribeTableCommand({ TableName: 't' })).catch(() => undefined),
    )
    const until = performance.now() + 1000
    while (requests < 2 * STORE_CONCURRENCY && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(requests).toBe(2 * STORE_CONCURRENCY)
    client.destroy()
    await Promise.all(sends)
  })
})

describe('the clients’ request timeouts', () => {
  it('end a DynamoDB request that hangs after the client’s 1.5 s, without a deadline', async () => {
    const client = storeClient()
    const { ended, ms } = await outcome(
      client.send(new DescribeTableCommand({ TableName: 't' })),
      4000,
    )
    client.destroy()
    expect(ended).toBe('TimeoutError')
    expect(ms).toBeGreaterThan(1400)
    expect(ms).toBeLessThan(3000)
    // One attempt: the store, not the SDK, retries under its deadline.
    expect(requests).toBe(1)
  })

  it('end the fallback queue’s requests after 0.7 s each (two attempts)', async () => {
    const queue = lazySqsFallbackQueue(`${endpoint}/123456789012/fallback`, endpoint)
    const item = toSnapshotItem(
      {
        vodTaskId: 't',
        fileId: '1',
        definition: 10,
        timeOffset: 0,
        status: 0,
        url: 'http://x/0.png',
      },
      '2026-12-05T00:00:00.000Z',
    )
    const { ended, ms } = await outcome(queue.send([item]), 4000)
    expect(ended).toBe('TimeoutError')
    expect(requests).toBe(2)
    expect(ms).toBeGreaterThan(1300)
    expect(ms).toBeLessThan(3000)
  })
})
