import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { vodTime } from '../../lib/runtime/vod-time'
import { itemsOf, type LocalStack, startLocalStack } from '../support/local-stack'
import { runScript } from '../support/run-script'
import { type RawItem, rawSnapshotItem } from '../support/table-reads'

// npm start's VOD stand-in, filled and read with the operator commands as the banner prints
// them, from a shell that has no Tencent Cloud key, region or endpoint: `--local` is enough.
const TOKEN = 'e2e-local-vod-token-0123456789'
const TABLE = 'vod-snapshots-e2e-local-vod'
const FLOW_FIXTURE = 'tests/fixtures/v3-procedure-snapshot.json'
const FLOW_TASK = '1256768367-Procedure-475b72xxxcb177t1'
const FLOW_SHOTS = 'https://1256768367.vod2.myqcloud.com/xxx/xxx/snapshot'
const SHOT_FIXTURE = 'tests/fixtures/v3-snapshot-success.json'
const SHOT_TASK = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'
const HOUR = 3_600_000

// Two stacks, so that each case starts from an empty table and an empty stand-in: the fixtures
// of a kind share their TaskId. `missed` serves cases (a) and (c), `delivered` case (b).
let missed: LocalStack
let delivered: LocalStack

/** The task flow's two screenshots, as the table holds them. */
const flowItems = (receivedAt: string, more: RawItem = {}) =>
  [
    { timeOffset: 3500, watermarkDefinitions: [1000] },
    { timeOffset: 10000.5, watermarkDefinitions: undefined },
  ].map(({ timeOffset, watermarkDefinitions }) => ({
    ...rawSnapshotItem(
      {
        vodTaskId: `${FLOW_TASK}#10`,
        fileId: '5285890784246869930',
        definition: 10,
        timeOffset,
        status: 0,
        url: `${FLOW_SHOTS}/10_${timeOffset}.jpg`,
        eventType: 'ProcedureStateChanged',
        procedureTaskId: FLOW_TASK,
        sessionContext: 'order-4711',
        sessionId: 'dedup-4711',
        ...(watermarkDefinitions ? { watermarkDefinitions } : {}),
      },
      receivedAt,
    ),
    ...more,
  }))

/** An operator command against `stack`, with only the variables npm start was given. */
const run = (stack: LocalStack, script: string, args: string[]) =>
  runScript(script, args, {
    ...stack.env,
    CALLBACK_TOKEN: TOKEN,
    ...{ TENCENTCLOUD_SECRET_ID: '', TENCENTCLOUD_SECRET_KEY: '', VOD_REGION: '' },
    ...{ VOD_ENDPOINT: '', VOD_SUBAPP_ID: '', DYNAMODB_ENDPOINT: '', S3_ENDPOINT: '' },
    ...{ QUARANTINE_BUCKET: '', EVENT_BUS_NAME: '', FORWARD_URL: '', RESULT_TTL_DAYS: '' },
  })

/** What the command `send` prints next starts with: this shell's ports and table. */
const stackVariables = ({ env }: LocalStack) =>
  `VOD_PORT=${env.VOD_PORT} DYNAMODB_PORT=${env.DYNAMODB_PORT} SQS_PORT=${env.SQS_PORT} TABLE_NAME=${env.TABLE_NAME} `

/**
 * Reconcile over the hour before now. Its window ends at now in whole seconds, excluding that
 * second (VOD's Before), so it waits for the second in which the task finished to pass.
 */
async function reconcileLastHour(stack: LocalStack) {
  await sleep(1000 - (Date.now() % 1000))
  const since = vodTime(Date.now() - HOUR)
  return { since, ...(await run(stack, 'reconcile', ['--local', '--since', since])) }
}

beforeAll(async () => {
  ;[missed, delivered] = await Promise.all([
    startLocalStack(TOKEN, TABLE),
    startLocalStack(TOKEN, TABLE),
  ])
}, 90_000)

afterAll(() => Promise.all([missed?.stop(), delivered?.stop()]))

describe("the local stack's VOD stand-in", () => {
  it('(a) recovers a callback that was missed: the task sent with --as-task, then reconcile', async () => {
    const send = await run(missed, 'send', ['--as-task', FLOW_FIXTURE])
    expect({ code: send.code, stderr: send.stderr }).toStrictEqual({ code: 0, stderr: '' })
    expect(send.stdout).toMatch(
      new RegExp(
        `^added task ${FLOW_TASK} \\(Procedure, FINISH at \\S+Z\\) to the VOD stand-in at ${missed.vodEndpoint}: `,
      ),
    )
    expect(await itemsOf(missed.dynamodbEndpoint, TABLE, `${FLOW_TASK}#10`)).toStrictEqual([])

    const startedAt = new Date().toISOString()
    const reconcile = await reconcileLastHour(missed)
    const endedAt = new Date().toISOString()

    expect(reconcile.stdout).toMatch(
      new RegExp(
        `^${reconcile.since} to \\S+Z: 1 tasks listed, 1 examined, 0 skipped, 2 results found, ` +
          '0 already present, 2 recovered\n$',
      ),
    )
    expect(reconcile.code).toBe(0)
    const items = await itemsOf(missed.dynamodbEndpoint, TABLE, `${FLOW_TASK}#10`)
    const receivedAt = items[0]?.receivedAt?.S ?? ''
    expect(receivedAt >= startedAt && receivedAt <= endedAt).toBe(true)
    expect(items).toStrictEqual(flowItems(receivedAt, { origin: { S: 'reconcile' } }))
  })

  it('(b) leaves alone what a callback delivered: sent as a callback, then as a task', async () => {
    const callback = await run(delivered, 'send', [FLOW_FIXTURE])
    expect(callback.stdout).toContain('{"code":0,"stored":2}')
    const [stored] = await itemsOf(delivered.dynamodbEndpoint, TABLE, `${FLOW_TASK}#10`)
    const receivedAt = stored?.receivedAt?.S ?? ''
    expect((await run(delivered, 'send', ['--as-task', FLOW_FIXTURE])).code).toBe(0)

    const reconcile = await reconcileLastHour(delivered)

    expect(reconcile.stdout).toMatch(
      new RegExp(
        `^${reconcile.since} to \\S+Z: 1 tasks listed, 1 examined, 0 skipped, 2 results found, ` +
          '2 already present, 0 recovered\n$',
      ),
    )
    expect(reconcile.code).toBe(0)
    // The callback's items, as it stored them: its receivedAt, and no origin.
    expect(await itemsOf(delivered.dynamodbEndpoint, TABLE, `${FLOW_TASK}#10`)).toStrictEqual(
      flowItems(receivedAt),
    )
  })

  it('(c) stores an event put in the queue with --to-queue, with pull --once --local', async () => {
    const send = await run(missed, 'send', ['--to-queue', SHOT_FIXTURE])
    expect(send).toStrictEqual({
      code: 0,
      stdout:
        `queued 1 event from ${SHOT_FIXTURE} in the VOD stand-in at ${missed.vodEndpoint} ` +
        `(1 waiting): ${stackVariables(missed)}npm run pull -- --once --local takes it\n`,
      stderr: '',
    })

    const pull = await run(missed, 'pull', ['--once', '--local'])

    expect(pull.stdout).toContain(`draining VOD's event queue at ${missed.vodEndpoint} into table`)
    expect(pull.stdout).toContain(
      '1 event(s) in 2 pull(s): 1 stored (2 results), 0 other type(s) passed on, 0 invalid (quarantined)\n' +
        '1 confirmed, 0 left for VOD to deliver again\nstopped: the queue is empty\n',
    )
    expect({ code: pull.code, stderr: pull.stderr }).toStrictEqual({ code: 0, stderr: '' })
    const items = await itemsOf(missed.dynamodbEndpoint, TABLE, SHOT_TASK)
    const receivedAt = items[0]?.receivedAt?.S ?? ''
    expect(items).toStrictEqual(
      [10000, 20000].map((timeOffset) =>
        rawSnapshotItem(
          {
            vodTaskId: SHOT_TASK,
            fileId: '14508071098244929440',
            definition: 10,
            timeOffset,
            status: 0,
            url: `http://125676836723.vod2.myqcloud.com/xxx/xxx/${timeOffset / 10000}.png`,
          },
          receivedAt,
        ),
      ),
    )
  })
})
