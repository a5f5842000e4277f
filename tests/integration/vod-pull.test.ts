import { setTimeout as sleep } from 'node:timers/promises'
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createForwarder } from '../../lib/forward/forwarder'
import {
  createSnapshotsTable,
  type LocalDynamoDB,
  localClient,
  startDynalite,
} from '../../lib/local/local-dynamodb'
import {
  startVodStandIn,
  type VodStandIn,
  type VodStandInOptions,
} from '../../lib/local/vod-stand-in'
import { type DrainOptions, drainVodQueue } from '../../lib/pull/drain'
import { createVodClient } from '../../lib/pull/vod-client'
import { VOD_STAND_IN_CREDENTIALS } from '../../lib/runtime/local-defaults'
import { noMetrics, quietLogger } from '../../lib/runtime/log'
import type { SnapshotItem } from '../../lib/store/snapshot-item'
import { captureLogger } from '../support/capture-logger'
import { faultyDynamoDBClient } from '../support/fault-injection'
import { fixture } from '../support/fixtures'
import { memoryQuarantine } from '../support/memory-quarantine'
import { runScript } from '../support/run-script'
import { invalidSnapshotEvent, keysOf, otherEvent, snapshotEvent } from '../support/vod-events'

// VOD's 30 s visibility and 5 s long poll, scaled down; the SDK gives up after 1 s. A pulled
// event comes back after VISIBILITY_MS in the tests that wait for a redelivery, 10 s elsewhere.
const VISIBILITY_MS = 1000
const SDK_TIMEOUT_S = 1

let dynamodb: LocalDynamoDB
let fake: VodStandIn
let table: string
let tables = 0

beforeAll(async () => {
  dynamodb = await startDynalite()
})
afterAll(() => dynamodb?.close())
afterEach(() => fake?.close())

async function setUp(options: VodStandInOptions = {}) {
  fake = await startVodStandIn({ visibilityMs: 10_000, ...options })
  table = `vod-pull-${++tables}`
  await createSnapshotsTable(dynamodb.endpoint, table)
}

const healthyTable = () => DynamoDBDocumentClient.from(localClient(dynamodb.endpoint))

function drain(overrides: Partial<DrainOptions> = {}) {
  const logger = captureLogger()
  const vod = createVodClient({
    credentials: VOD_STAND_IN_CREDENTIALS,
    region: 'ap-guangzhou',
    endpoint: fake.endpoint,
    timeoutSeconds: SDK_TIMEOUT_S,
  })
  const run = drainVodQueue({
    vod,
    store: {
      client: localClient(dynamodb.endpoint),
      tableName: table,
      options: { baseDelayMs: 1, maxDelayMs: 5 },
    },
    logger,
    deadline: Date.now() + 20_000,
    budget: { runwayMs: 0, storeMs: 2000 },
    // A bus that takes every event: other event types are passed on, then confirmed.
    forwarding: {
      forwarder: createForwarder({
        busName: 'bus',
        publisher: { publish: async () => {} },
        logger: quietLogger,
        metrics: noMetrics,
      }),
      forwardAll: false,
    },
    ...overrides,
  })
  return run.then((report) => ({ report, logger }))
}

async function tableItems(): Promise<Map<string, SnapshotItem>> {
  const items = new Map<string, SnapshotItem>()
  for await (const page of paginateScan({ client: healthyTable() }, { TableName: table })) {
    for (const item of (page.Items ?? []) as SnapshotItem[]) {
      items.set(`${item.vodTaskId}#${item.timeOffset}`, item)
    }
  }
  return items
}

const keys = async () => [...(await tableItems()).keys()].sort()
const withoutTime = (items: Map<string, SnapshotItem>) =>
  [...items.values()].map(({ receivedAt, ...item }) => item)
const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('draining VOD’s event queue', () => {
  it('stores exactly the results of a mixed queue of 33 events and leaves the queue empty', async () => {
    await setUp()
    const snapshots = range(20).map((i) =>
      snapshotEvent(
        `task-${i}`,
        range(i + 1).map((o) => o * 1000),
      ),
    )
    const documented = fixture('v3-snapshot-success')
    const mixed = [
      ...snapshots,
      documented,
      ...range(11).map(otherEvent),
      invalidSnapshotEvent('task-bad'),
    ]
    // 7 and 33 have no common divisor: every event once, the types interleaved.
    fake.enqueue(...mixed.map((_, i) => mixed[(i * 7) % mixed.length] ?? {}))

    const quarantine = memoryQuarantine()
    const { report, logger } = await drain({ subAppId: 1500000001, quarantine })

    expect(report).toStrictEqual({
      ...{ pulls: 4, pulled: 33, storedEvents: 21, storedResults: 212, ignored: 11, invalid: 1 },
      ...{ confirmed: 33, unconfirmed: 0, unpassed: 0, unkept: 0, stop: 'empty' },
    })
    expect(await keys()).toStrictEqual([...snapshots, documented].flatMap(keysOf).sort())
    const items = await tableItems()
    expect(
      items.get('CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd#20000'),
    ).toStrictEqual({
      vodTaskId: 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd',
      timeOffset: 20000,
      fileId: '14508071098244929440',
      definition: 10,
      status: 0,
      url: 'http://125676836723.vod2.myqcloud.com/xxx/xxx/2.png',
      eventType: 'CreateSnapshotByTimeOffsetComplete',
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    expect(fake.waiting()).toBe(0)
    // The invalid event is kept whole in the quarantine, then confirmed; nothing went wrong.
    expect(quarantine.kept).toMatchObject([
      { statusCode: 422, problems: [expect.stringContaining('TimeOffset')] },
    ])
    expect(JSON.parse(quarantine.kept[0]?.body ?? '')).toMatchObject({
      SnapshotByTimeOffsetCompleteEvent: { TaskId: 'task-bad' },
    })
    expect(logger.lines.filter((l) => l.level === 'ERROR')).toStrictEqual([])
  })

  it('confirms each pull’s batch before the next pull, at most 16 handles a call, with the SubAppId', async () => {
    await setUp()
    fake.enqueue(...range(40).map((i) => snapshotEvent(`batch-${i}`, [0])))

    await drain({ subAppId: 1500000001 })

    const actions = fake.calls.map((call) => call.action)
    expect(actions).toStrictEqual([
      ...['PullEvents', 'ConfirmEvents', 'PullEvents', 'ConfirmEvents'],
      ...['PullEvents', 'ConfirmEvents', 'PullEvents'],
    ])
    fake.calls.forEach((call, i) => {
      expect(call.body.SubAppId).toBe(1500000001)
      if (call.action !== 'ConfirmEvents') return
      const pulled = fake.calls[i - 1]?.handles ?? []
      expect((call.body.EventHandles as string[]).sort()).toStrictEqual([...pulled].sort())
    })
    expect(fake.calls.map((call) => call.handles?.length ?? 0)).toStrictEqual([
      16, 0, 16, 0, 8, 0, 0,
    ])
  })
})

describe('when storing fails', () => {
  it('leaves the events it could not store unconfirmed, and stores them once VOD delivers them again', async () => {
    await setUp({ visibilityMs: VISIBILITY_MS })
    const snapshots = range(3).map((i) => snapshotEvent(`down-${i}`, [0, 1000]))
    fake.enqueue(...snapshots, otherEvent(0), otherEvent(1))
    const down = { ok: 0, throttle: 0, http500: 0, unprocessed: 0, hang: 0 }
    const broken = faultyDynamoDBClient(dynamodb.endpoint, () => ({ http500: 1 }), down)

    const fast = { baseDelayMs: 1, maxDelayMs: 5 }
    const first = await drain({ store: { client: broken, tableName: table, options: fast } })

    expect(first.report).toMatchObject({ storedEvents: 0, ignored: 2, confirmed: 2 })
    expect(first.report).toMatchObject({ unconfirmed: 3, stop: 'store-failing' })
    expect(first.logger.lines.filter((l) => l.message === 'results not stored')).toHaveLength(3)
    expect(await keys()).toStrictEqual([])
    expect(fake.waiting()).toBe(3)

    await sleep(VISIBILITY_MS + 100)
    const second = await drain()

    expect(second.report).toMatchObject({ pulled: 3, storedEvents: 3, confirmed: 3, stop: 'empty' })
    expect(await keys()).toStrictEqual(snapshots.flatMap(keysOf).sort())
    expect(fake.waiting()).toBe(0)
  })
})

describe('duplicates and redeliveries', () => {
  it('store a twice-sent event and a redelivered one to the same items', async () => {
    await setUp({ visibilityMs: VISIBILITY_MS })
    const twice = snapshotEvent('twice', [0, 1000, 2000])
    fake.enqueue(twice, structuredClone(twice), snapshotEvent('once', [5000]))

    const first = await drain()

    expect(first.report).toMatchObject({ pulled: 3, storedEvents: 3, storedResults: 7 })
    const stored = await tableItems()
    expect([...stored.keys()].sort()).toStrictEqual([
      'once#5000',
      'twice#0',
      'twice#1000',
      'twice#2000',
    ])

    // Stored, but its confirmation fails: VOD delivers it again.
    fake.enqueue(structuredClone(twice))
    fake.failNext(1, 'ConfirmEvents')
    const unconfirmed = await drain()
    expect(unconfirmed.report).toMatchObject({ storedEvents: 1, confirmed: 0, unconfirmed: 1 })
    expect(unconfirmed.report.stop).toBe('vod-error')

    await sleep(VISIBILITY_MS + 100)
    const redelivered = await drain()

    expect(redelivered.report).toMatchObject({ pulled: 1, storedEvents: 1, confirmed: 1 })
    expect(withoutTime(await tableItems())).toStrictEqual(withoutTime(stored))
    expect(fake.waiting()).toBe(0)
  })
})

describe('VOD API errors and timeouts', () => {
  it('end the drain early, confirm nothing unhandled, and lose nothing', async () => {
    await setUp({ visibilityMs: VISIBILITY_MS })
    const events = range(5).map((i) => snapshotEvent(`flaky-${i}`, [0]))
    fake.enqueue(...events)

    fake.failNext(1, 'PullEvents')
    const failed = await drain()
    expect(failed.report).toMatchObject({ pulls: 1, pulled: 0, confirmed: 0, stop: 'vod-error' })
    expect(failed.logger.lines).toMatchObject([
      { level: 'ERROR', message: 'vod pull failed', fields: { code: 'InternalError' } },
    ])

    // VOD hands the events out, but its answer comes after the SDK gave up.
    fake.delayNext(1, SDK_TIMEOUT_S * 1000 + 500, 'PullEvents')
    const timedOut = await drain()
    expect(timedOut.report).toMatchObject({ pulled: 0, confirmed: 0, stop: 'vod-error' })
    expect(timedOut.logger.text()).toContain('network timeout')
    expect(await keys()).toStrictEqual([])

    await sleep(VISIBILITY_MS + 100)
    fake.delayNext(1, SDK_TIMEOUT_S * 1000 + 500, 'ConfirmEvents')
    const confirmLate = await drain()
    expect(confirmLate.report).toMatchObject({ storedEvents: 5, confirmed: 0, unconfirmed: 5 })

    expect(await keys()).toStrictEqual(events.flatMap(keysOf).sort())
    expect(fake.calls.filter((c) => c.action === 'ConfirmEvents')).toHaveLength(1)
  })

  it('refuses to pull with a key VOD does not accept', async () => {
    await setUp()
    fake.enqueue(snapshotEvent('secret', [0]))
    const vod = createVodClient({
      credentials: { ...VOD_STAND_IN_CREDENTIALS, secretKey: 'not-the-key' },
      region: 'ap-guangzhou',
      endpoint: fake.endpoint,
    })

    const { report, logger } = await drain({ vod })

    expect(report).toMatchObject({ pulled: 0, stop: 'vod-error' })
    expect(logger.lines[0]?.fields).toMatchObject({ code: 'AuthFailure.SignatureFailure' })
    expect(fake.waiting()).toBe(1)
  })
})

describe('an empty queue', () => {
  it.each(['ResourceNotFound', 'null EventSet'] as const)(
    'ends the drain at the first empty pull, answered as %s',
    async (emptyAnswer) => {
      await setUp({ emptyAnswer, emptyWaitMs: 300 })
      const started = performance.now()

      const { report } = await drain()

      expect(report).toMatchObject({ pulls: 1, pulled: 0, confirmed: 0, stop: 'empty' })
      expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    },
  )

  it('is not pulled at all once the deadline is within the runway', async () => {
    await setUp()
    fake.enqueue(snapshotEvent('late', [0]))

    const { report } = await drain({ deadline: Date.now() + 1000, budget: { runwayMs: 5000 } })

    expect(report).toMatchObject({ pulls: 0, stop: 'deadline' })
    expect(fake.calls).toStrictEqual([])
  })
})

describe('npm run pull -- --once', () => {
  const env = () => ({
    TENCENTCLOUD_SECRET_ID: VOD_STAND_IN_CREDENTIALS.secretId,
    TENCENTCLOUD_SECRET_KEY: VOD_STAND_IN_CREDENTIALS.secretKey,
    VOD_REGION: 'ap-guangzhou',
    TABLE_NAME: table,
    DYNAMODB_ENDPOINT: dynamodb.endpoint,
  })

  it('drains the queue at --endpoint into the table, prints the counts and exits with 0', async () => {
    await setUp()
    const events = range(19).map((i) => snapshotEvent(`script-${i}`, [0, 500]))
    fake.enqueue(...events)

    const run = await runScript('pull', ['--once', '--endpoint', fake.endpoint], env())

    expect(run.stderr).toBe('')
    expect(run.stdout).toContain('19 event(s) in 3 pull(s): 19 stored (38 results)')
    expect(run.stdout).toContain('19 confirmed, 0 left for VOD to deliver again')
    expect(run.stdout).toContain('stopped: the queue is empty')
    expect(run.code).toBe(0)
    expect(await keys()).toStrictEqual(events.flatMap(keysOf).sort())
    expect(fake.waiting()).toBe(0)
  })

  it('exits with 1 when VOD fails, leaving the queue as it was', async () => {
    await setUp()
    fake.enqueue(snapshotEvent('script-fail', [0]))
    fake.failNext(1)

    const run = await runScript('pull', ['--once', '--endpoint', fake.endpoint], env())

    expect(run.stderr).toContain('vod pull failed {"code":"InternalError"')
    expect(run.stdout).toContain('stopped: a VOD API call failed')
    expect(run.code).toBe(1)
    expect(fake.waiting()).toBe(1)
  })
})
