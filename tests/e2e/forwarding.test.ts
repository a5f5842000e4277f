import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixtureText } from '../support/fixtures'
import { itemsOf, type LocalStack, startLocalStack } from '../support/local-stack'

// The stack `npm start` starts, with FORWARD_URL pointing at a receiver of the test's own: the
// local stand-in for the stage's bus and its rule to an API destination.
const TOKEN = 'e2e-forward-token-0123456789'
const TABLE = 'vod-snapshots-e2e-forward'
/** The receiver answers 503 to its first requests, as one that is down at first. */
const REFUSED_AT_FIRST = 2

let stack: LocalStack
let receiver: Server
const received: { body: string; contentType: string | undefined }[] = []
let refused = 0

async function until<T>(value: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = value()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error('not within the time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const post = (body: string) =>
  fetch(stack.callbackUrl(), { method: 'POST', body }).then(async (response) => ({
    status: response.status,
    body: await response.text(),
  }))

beforeAll(async () => {
  receiver = createServer(async (request, response) => {
    let body = ''
    for await (const chunk of request) body += chunk
    if (refused < REFUSED_AT_FIRST) {
      refused++
      response.writeHead(503).end()
      return
    }
    received.push({ body, contentType: request.headers['content-type'] })
    response.writeHead(200).end()
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const { port } = receiver.address() as AddressInfo
  stack = await startLocalStack(TOKEN, TABLE, {
    env: { FORWARD_URL: `http://127.0.0.1:${port}/vod-events` },
  })
}, 90_000)

afterAll(async () => {
  await stack?.stop()
  await new Promise((resolve) => receiver?.close(resolve))
})

describe('npm start with FORWARD_URL', () => {
  it('delivers what it does not store to the receiver, unchanged, retrying it while it is down', async () => {
    const upload = fixtureText('v3-new-file-upload')
    const flow = fixtureText('legacy-procedure-state-changed').replace(
      /"taskType": "SnapshotByTimeOffset"/g,
      '"taskType": "Transcode"',
    )
    expect(await post(upload)).toStrictEqual({
      status: 200,
      body: '{"code":0,"ignored":"NewFileUpload"}',
    })
    expect(await post(flow)).toStrictEqual({
      status: 200,
      body: '{"code":0,"ignored":"ProcedureStateChanged"}',
    })

    const delivered = await until(() => (received.length >= 2 ? received : undefined))
    expect(delivered.map((r) => r.body).sort()).toStrictEqual([upload, flow].sort())
    expect(delivered.every((r) => r.contentType === 'application/json')).toBe(true)
    expect(refused).toBe(REFUSED_AT_FIRST)
    expect(stack.output()).toContain('event forward retried')
  })

  it('stores a snapshot callback, announces it, and forwards nothing of it', async () => {
    const before = received.length
    const body = fixtureText('legacy-snapshot-success')
    expect(await post(body)).toStrictEqual({ status: 200, body: '{"code":0,"stored":2}' })
    const task = JSON.parse(body).data.vodTaskId
    expect(await itemsOf(stack.dynamodbEndpoint, TABLE, task)).toHaveLength(2)
    await until(() => (stack.output().includes('results announced') ? true : undefined))
    expect(stack.output()).toContain(`\\"taskId\\":\\"${task}\\"`)
    expect(received.length).toBe(before)
  })
})
