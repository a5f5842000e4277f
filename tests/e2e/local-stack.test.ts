import { execFileSync } from 'node:child_process'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture, fixtureText, legacyCallbackWith } from '../support/fixtures'
import {
  descendantsOf,
  itemsOf,
  type LocalStack,
  npmStartUntilExit,
  startLocalStack,
  stopAndWait,
} from '../support/local-stack'

// The stack `npm start` starts, started the same way, on ports of its own.
const TOKEN = 'e2e-token-0123456789abcdef'
const TABLE = 'vod-snapshots-e2e'
const TASK_ID = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'

let stack: LocalStack

const post = (body: string, token?: string) =>
  fetch(stack.callbackUrl(token), { method: 'POST', body }).then(async (response) => ({
    status: response.status,
    body: await response.json(),
  }))
const itemsOfTask = (vodTaskId: string) => itemsOf(stack.dynamodbEndpoint, TABLE, vodTaskId)

/** The command line of a process, from the process table. */
const commandOf = (pid: number) =>
  execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim()

const refusesConnections = (p: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(p, '127.0.0.1')
    socket.once('connect', () => resolve(socket.destroy() && false))
    socket.once('error', () => resolve(true))
  })

beforeAll(async () => {
  stack = await startLocalStack(TOKEN, TABLE)
  console.info(`e2e: npm start ready in ${Math.round(stack.startupMs)} ms`)
}, 90_000)

afterAll(() => stack?.stop())

describe('the local stack', () => {
  it('prints the callback URL with its token when ready', () => {
    expect(stack.output()).toContain(`Callback URL:        ${stack.callbackUrl()}`)
  })

  it('prints its queues and commands for its ports, and starts without a rejected callback', () => {
    const { PORT, DYNAMODB_PORT, SQS_PORT } = stack.env
    const queue = `http://sqs.us-east-1.localhost:${SQS_PORT}/000000000000/vod-snapshots-local-fallback`
    expect(stack.output()).toContain(`    fallback queue:    ${queue}  (the redrive consumes it)\n`)
    expect(stack.output()).toContain(`    dead-letter queue: ${queue}-dlq\n`)
    expect(stack.output()).toContain(
      `  PORT=${PORT} CALLBACK_TOKEN=${TOKEN} npm run send -- tests/fixtures/legacy-snapshot-success.json\n`,
    )
    expect(stack.output()).toContain(
      `  DYNAMODB_PORT=${DYNAMODB_PORT} SQS_PORT=${SQS_PORT} TABLE_NAME=${TABLE} npm run replay -- --dlq --local\n`,
    )
    expect(stack.output()).toContain(
      `  VOD API stand-in:    ${stack.vodEndpoint}  (event queue and tasks, for pull and reconcile)\n`,
    )
    expect(stack.output()).toContain(
      `  VOD_PORT=${stack.env.VOD_PORT} DYNAMODB_PORT=${DYNAMODB_PORT} SQS_PORT=${SQS_PORT} TABLE_NAME=${TABLE} npm run pull -- --once --local\n`,
    )
    expect(stack.output()).not.toContain('callback rejected')
  })

  it('refuses a VOD_PORT in use, in one line naming it, like the other ports', async () => {
    const run = await npmStartUntilExit({ CALLBACK_TOKEN: TOKEN, VOD_PORT: stack.env.VOD_PORT })

    expect(run.code).toBe(1)
    expect(run.stdout).not.toContain('ready')
    expect(run.stderr.split('\n').filter((line) => line.startsWith('Port '))).toStrictEqual([
      `Port ${stack.env.VOD_PORT} on 127.0.0.1 is in use: set VOD_PORT to a free port.`,
    ])
  }, 60_000)

  it('runs side by side with a second stack on other ports, each with its own table', async () => {
    const second = await startLocalStack(TOKEN, TABLE)
    try {
      const body = fixture<{ data: { vodTaskId: string } }>('legacy-snapshot-failure')
      body.data.vodTaskId = 'CreateSnapshotByTimeOffset-second-stack'
      const answer = await fetch(second.callbackUrl(), {
        method: 'POST',
        body: JSON.stringify(body),
      })
      expect({ status: answer.status, body: await answer.json() }).toStrictEqual({
        status: 200,
        body: { code: 0, stored: 1 },
      })
      const task = body.data.vodTaskId
      expect(await itemsOf(second.dynamodbEndpoint, TABLE, task)).toHaveLength(1)
      expect(await itemsOfTask(task)).toStrictEqual([])
    } finally {
      expect(await stopAndWait(second)).toStrictEqual([])
    }
  }, 90_000)

  it("stores the seed's success example as two items that read back exactly", async () => {
    expect(await post(fixtureText('legacy-snapshot-success'))).toStrictEqual({
      status: 200,
      body: { code: 0, stored: 2 },
    })
    const items = await itemsOfTask(TASK_ID)
    const receivedAt = items[0]?.receivedAt?.S ?? ''
    expect(Date.now() - Date.parse(receivedAt)).toBeLessThan(60_000)
    expect(items).toStrictEqual(
      [3123123, 3123213].map((offset) => ({
        vodTaskId: { S: TASK_ID },
        timeOffset: { N: String(offset) },
        fileId: { S: '14508071098244929440' },
        definition: { N: '10' },
        status: { N: '0' },
        url: {
          S: `http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/xx${offset === 3123213 ? 1 : 2}.png`,
        },
        eventType: { S: 'CreateSnapshotByTimeOffsetComplete' },
        receivedAt: { S: receivedAt },
      })),
    )
  })

  it("stores the seed's failure example as one item without url", async () => {
    const body = fixture<{ data: { vodTaskId: string } }>('legacy-snapshot-failure')
    body.data.vodTaskId = 'CreateSnapshotByTimeOffset-failure'
    expect(await post(JSON.stringify(body))).toStrictEqual({
      status: 200,
      body: { code: 0, stored: 1 },
    })
    const [item, ...rest] = await itemsOfTask('CreateSnapshotByTimeOffset-failure')
    expect(rest).toHaveLength(0)
    expect(item).toStrictEqual({
      vodTaskId: { S: 'CreateSnapshotByTimeOffset-failure' },
      timeOffset: { N: '1000000' },
      fileId: { S: '9031868222841494656' },
      definition: { N: '20' },
      status: { N: '-46204' },
      eventType: { S: 'CreateSnapshotByTimeOffsetComplete' },
      receivedAt: { S: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) },
    })
  })

  it('answers 401 to a wrong token and 422 to an invalid callback, storing nothing', async () => {
    const body = fixture<{ data: { vodTaskId: string; picInfo: unknown[] } }>(
      'legacy-snapshot-success',
    )
    body.data.vodTaskId = 'CreateSnapshotByTimeOffset-rejected'
    expect((await post(JSON.stringify(body), 'wrong-token-0123456789')).status).toBe(401)
    body.data.picInfo.push({ status: 0, timeOffset: 'soon' })
    expect((await post(JSON.stringify(body))).status).toBe(422)
    expect(await itemsOfTask('CreateSnapshotByTimeOffset-rejected')).toStrictEqual([])
  })

  it('stores a callback of 1,000 results', async () => {
    const started = performance.now()
    const response = await post(
      JSON.stringify(legacyCallbackWith(1000, 'CreateSnapshotByTimeOffset-1000')),
    )
    const elapsedMs = performance.now() - started
    console.info(`e2e: 1,000-result callback answered in ${Math.round(elapsedMs)} ms`)

    expect(response).toStrictEqual({ status: 200, body: { code: 0, stored: 1000 } })
    expect(await itemsOfTask('CreateSnapshotByTimeOffset-1000')).toHaveLength(1000)
  })

  it('leaves no serverless-offline behind when npm start is killed outright', async () => {
    const other = await startLocalStack(TOKEN, `${TABLE}-killed`)
    try {
      const processes = descendantsOf(other.process.pid ?? -1)
      const start = processes.find((pid) => commandOf(pid).includes('scripts/start.ts'))
      expect(start).toBeDefined()
      process.kill(start ?? -1, 'SIGKILL')
      const deadline = Date.now() + 5000
      while (!(await refusesConnections(other.port)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(await refusesConnections(other.port)).toBe(true)
    } finally {
      await other.stop()
    }
  }, 60_000)

  it('stops everything on SIGTERM to npm, leaving no process and no port behind', async () => {
    expect(descendantsOf(stack.process.pid ?? -1).length).toBeGreaterThanOrEqual(2)
    // npm exits at once; the stack notices it is orphaned and shuts down within a second.
    expect(await stopAndWait(stack)).toStrictEqual([])
    expect(await refusesConnections(stack.port)).toBe(true)
    expect(await refusesConnections(Number(stack.env.DYNAMODB_PORT))).toBe(true)
    expect(await refusesConnections(Number(stack.env.SQS_PORT))).toBe(true)
    expect(await refusesConnections(Number(stack.env.VOD_PORT))).toBe(true)
  })
})
