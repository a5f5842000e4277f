import { PutItemCommand } from '@aws-sdk/client-dynamodb'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Forwarder } from '../../lib/forward/forwarder'
import { handleVodEvent } from '../../lib/intake/handle-vod-event'
import { startVodStandIn, type VodStandIn } from '../../lib/local/vod-stand-in'
import type { VodStandInTask } from '../../lib/local/vod-stand-in-tasks'
import { type ReconcileDependencies, reconcile } from '../../lib/reconcile/reconcile'
import { createVodTaskApi, type VodTaskApi } from '../../lib/reconcile/vod-tasks'
import { VOD_STAND_IN_CREDENTIALS } from '../../lib/runtime/local-defaults'
import { quietLogger } from '../../lib/runtime/log'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import { procedureCallbackWith } from '../support/fixtures'
import { LOCAL_BACKENDS, useLocalTable } from '../support/local-backends'
import { memoryQuarantine } from '../support/memory-quarantine'
import { countItems, itemsOfTask } from '../support/table-reads'

const NOW = Date.parse('2026-12-04T12:00:00Z')
const at = (minutesAgo: number) =>
  new Date(NOW - minutesAgo * 60_000).toISOString().replace('.000', '')

/** A finished task flow with one snapshot subtask of `count` pictures (definition 10). */
function procedureTask(taskId: string, count: number, finishedMinutesAgo = 30): VodStandInTask {
  const event = procedureCallbackWith(count, taskId).ProcedureStateChangeEvent
  return {
    TaskId: taskId,
    TaskType: 'Procedure',
    Status: 'FINISH',
    FileId: String(event.FileId),
    CreateTime: at(finishedMinutesAgo + 5),
    FinishTime: at(finishedMinutesAgo),
    ProcedureTask: event as never,
  }
}

/** A finished 2017 screenshot task: two results, the second failed. */
function snapshotTask(taskId: string, finishedMinutesAgo = 20): VodStandInTask {
  return {
    TaskId: taskId,
    TaskType: 'SnapshotByTimeOffset',
    Status: 'FINISH',
    FileId: '5285485487985271487',
    CreateTime: at(finishedMinutesAgo + 1),
    FinishTime: at(finishedMinutesAgo),
    SnapshotByTimeOffsetTask: {
      TaskId: taskId,
      FileId: '5285485487985271487',
      Definition: 10,
      SnapshotInfoSet: [
        { TimeOffset: 1000, Url: 'https://example.vod2.myqcloud.com/shot/1.jpg', ErrCode: 0 },
        { TimeOffset: 2000, Url: '', ErrCode: 70000 },
      ],
    } as never,
  }
}

const otherTask = (taskId: string, type: 'Transcode' | 'EditMedia'): VodStandInTask => ({
  TaskId: taskId,
  TaskType: type,
  Status: 'FINISH',
  CreateTime: at(40),
  FinishTime: at(35),
})

describe.each(LOCAL_BACKENDS)('reconcile on $name', (backend) => {
  const tables = useLocalTable(backend, 'reconcile')
  let vod: VodStandIn
  let api: VodTaskApi

  beforeEach(async () => {
    vod = await startVodStandIn({ now: () => NOW })
    api = createVodTaskApi({
      credentials: VOD_STAND_IN_CREDENTIALS,
      region: 'ap-guangzhou',
      endpoint: vod.endpoint,
    })
  })
  afterEach(() => vod.close())

  const window = { since: new Date(NOW - 2 * 3_600_000), until: new Date(NOW) }
  const deps = (more: Partial<ReconcileDependencies> = {}): ReconcileDependencies => ({
    vod: api,
    road: {
      tableName: tables.table,
      client: tables.raw,
      logger: quietLogger,
      metrics: captureMetrics(),
    },
    now: () => new Date(NOW),
    retry: { minTimeout: 10, maxTimeout: 50 },
    ...more,
  })

  it('writes what no callback delivered, leaves what one did as it is, and a second run writes nothing', async () => {
    vod.addTask(procedureTask('1256768367-procedure-missed', 3))
    vod.addTask(procedureTask('1256768367-procedure-delivered', 2))
    vod.addTask(snapshotTask('1256768367-snapshot-missed'))
    vod.addTask(otherTask('1256768367-transcode', 'Transcode'))
    // The delivered one came by callback an hour earlier than reconcile runs.
    const deliveredAt = '2026-12-04T11:31:00.000Z'
    const delivered = await handleVodEvent(
      {
        kind: 'event',
        body: procedureCallbackWith(2, '1256768367-procedure-delivered'),
        text: () => '',
        receivedAt: deliveredAt,
        id: 'delivered',
      },
      {
        tableName: tables.table,
        client: tables.raw,
        logger: quietLogger,
        metrics: captureMetrics(),
      },
      { publishMs: () => 1000 },
    )
    expect(delivered).toMatchObject({ kind: 'stored', stored: 2 })

    const metrics = captureMetrics()
    const report = await reconcile(window, deps({ road: { ...deps().road, metrics } }))

    expect(report).toMatchObject({
      listed: 4,
      examined: 3,
      skipped: { Transcode: 1 },
      found: 7,
      present: 2,
      recovered: 5,
      invalid: 0,
      complete: true,
    })
    expect(metrics.totals().ResultsRecovered).toBe(5)
    const missed = (
      await itemsOfTask(tables.raw, tables.table, '1256768367-procedure-missed#10')
    ).map((item) => unmarshall(item))
    expect(missed).toHaveLength(3)
    expect(missed[0]).toMatchObject({
      origin: 'reconcile',
      receivedAt: new Date(NOW).toISOString(),
      status: 0,
      procedureTaskId: '1256768367-procedure-missed',
    })
    const shots = (await itemsOfTask(tables.raw, tables.table, '1256768367-snapshot-missed')).map(
      (item) => unmarshall(item),
    )
    expect(shots.map(({ timeOffset, status, origin }) => ({ timeOffset, status, origin }))).toEqual(
      [
        { timeOffset: 1000, status: 0, origin: 'reconcile' },
        { timeOffset: 2000, status: 70000, origin: 'reconcile' },
      ],
    )
    const kept = (
      await itemsOfTask(tables.raw, tables.table, '1256768367-procedure-delivered#10')
    ).map((item) => unmarshall(item))
    expect(kept).toHaveLength(2)
    for (const item of kept) {
      expect(item.receivedAt).toBe(deliveredAt)
      expect(item).not.toHaveProperty('origin')
    }

    const items = await countItems(tables.raw, tables.table)
    const again = await reconcile(window, deps())
    expect(again).toMatchObject({ found: 7, present: 7, recovered: 0, complete: true })
    expect(await countItems(tables.raw, tables.table)).toBe(items)
  })

  it('follows every page, keeps under the rate, and retries RequestLimitExceeded', async () => {
    await vod.close()
    // A stand-in that allows 20 calls a second against a reconcile that asks for 60.
    vod = await startVodStandIn({ now: () => NOW, rateLimitPerSecond: 20 })
    api = createVodTaskApi({
      credentials: VOD_STAND_IN_CREDENTIALS,
      region: 'ap-guangzhou',
      endpoint: vod.endpoint,
    })
    for (let i = 0; i < 230; i++) vod.addTask(otherTask(`1256768367-edit-${i}`, 'EditMedia'))
    for (let i = 0; i < 30; i++) vod.addTask(snapshotTask(`1256768367-shot-${i}`, 10 + (i % 50)))

    const report = await reconcile(window, deps({ ratePerSecond: 60 }))

    expect(report).toMatchObject({ listed: 260, examined: 30, recovered: 60, complete: true })
    const lists = vod.calls.filter((call) => call.action === 'DescribeTasks' && !call.error)
    expect(lists).toHaveLength(3)
    expect(vod.calls.some((call) => call.error === 'RequestLimitExceeded')).toBe(true)
    expect(await countItems(tables.raw, tables.table)).toBe(60)
  })

  it('counts and skips an unknown task type, and counts a task VOD no longer knows', async () => {
    vod.addTask(snapshotTask('1256768367-gone'))
    vod.addTask({
      ...otherTask('1256768367-new-kind', 'Transcode'),
      TaskType: 'HologramMedia',
    } as never)
    const logger = captureLogger()
    const gone: VodTaskApi = {
      DescribeTasks: (request) => api.DescribeTasks(request),
      DescribeTaskDetail: async () => {
        throw Object.assign(new Error('task not found'), { code: 'ResourceNotFound' })
      },
    }

    const report = await reconcile(window, deps({ vod: gone, road: { ...deps().road, logger } }))

    expect(report).toMatchObject({
      listed: 2,
      examined: 1,
      vanished: 1,
      recovered: 0,
      skipped: { HologramMedia: 1 },
      complete: true,
    })
    expect(logger.text()).toContain('unknown vod task type skipped')
  })

  it('keeps a detail that fails validation in the quarantine, and stores the rest', async () => {
    const broken = snapshotTask('1256768367-broken') as {
      SnapshotByTimeOffsetTask: { Definition: unknown }
    }
    broken.SnapshotByTimeOffsetTask.Definition = 'ten'
    vod.addTask(broken as unknown as VodStandInTask)
    vod.addTask(snapshotTask('1256768367-fine'))
    const quarantine = memoryQuarantine()

    const report = await reconcile(window, deps({ quarantine }))

    expect(report).toMatchObject({ examined: 2, invalid: 1, recovered: 2, complete: true })
    expect(quarantine.kept).toHaveLength(1)
    expect(quarantine.kept[0]).toMatchObject({
      statusCode: 422,
      eventType: 'CreateSnapshotByTimeOffsetComplete',
    })
    expect(JSON.parse(quarantine.kept[0]?.body ?? '')).toMatchObject({
      SnapshotByTimeOffsetCompleteEvent: { TaskId: '1256768367-broken' },
    })
  })

  it('announces what it recovered, marked as recovered, and nothing it found present', async () => {
    vod.addTask(snapshotTask('1256768367-announced'))
    const published: unknown[] = []
    const forwarder = {
      announce: async (detail: unknown) => {
        published.push(detail)
        return 'published' as const
      },
    } as unknown as Forwarder
    const road = { ...deps().road, forwarding: { forwarder, forwardAll: false, durable: false } }
    await reconcile(window, deps({ road }))
    await reconcile(window, deps({ road }))
    expect(published).toStrictEqual([
      expect.objectContaining({
        taskId: '1256768367-announced',
        stored: 2,
        failed: 1,
        origin: 'reconcile',
      }),
    ])
  })

  it('with dryRun counts what is missing and writes nothing', async () => {
    vod.addTask(snapshotTask('1256768367-dry'))
    const report = await reconcile(window, deps({ dryRun: true }))
    expect(report).toMatchObject({ found: 2, recovered: 2, present: 0, complete: true })
    expect(await countItems(tables.raw, tables.table)).toBe(0)
  })

  it('stops on an API error with what it recovered kept, and says where to resume at its deadline', async () => {
    vod.addTask(snapshotTask('1256768367-first', 50))
    vod.failNext(20, 'DescribeTaskDetail')
    const failed = await reconcile(
      window,
      deps({ retry: { retries: 1, minTimeout: 5, maxTimeout: 5 } }),
    )
    expect(failed.complete).toBe(false)
    expect(failed.error).toContain('InternalError')

    const stopped = await reconcile(window, deps({ deadline: Date.now() - 1 }))
    expect(stopped).toMatchObject({ complete: false, resumeFrom: stopped.since, listed: 0 })
  })

  it('stops on a store error part-way, counting what it wrote before as recovered', async () => {
    // Found in review: the report left out what was written before the failure, while the
    // ResultsRecovered metric counted it.
    vod.addTask(snapshotTask('1256768367-half-written', 50))
    const metrics = captureMetrics()
    let puts = 0
    // The second write is refused for what it is (no retry): the first is in the table.
    const refuseSecondPut =
      (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        const { input } = args as { input: { ConditionExpression?: string } }
        if (input.ConditionExpression && ++puts === 2) {
          throw Object.assign(new Error('refused'), { name: 'ValidationException' })
        }
        return next(args)
      }
    tables.raw.middlewareStack.add(refuseSecondPut as never, { name: 'refuseSecondPut' })
    try {
      const report = await reconcile(window, deps({ road: { ...deps().road, metrics } }))

      expect(report).toMatchObject({ complete: false, found: 2, recovered: 1, present: 0 })
      expect(metrics.totals()).toMatchObject({ ResultsRecovered: 1, StoreFailures: 1 })
      expect(await itemsOfTask(tables.raw, tables.table, '1256768367-half-written')).toHaveLength(1)
    } finally {
      tables.raw.middlewareStack.remove('refuseSecondPut')
    }
  })

  it('stops on a store error, counting as present what the table already had', async () => {
    // Found in review: a task with results already stored reported them neither found nor present.
    vod.addTask(snapshotTask('1256768367-half-present', 50))
    await tables.raw.send(
      new PutItemCommand({
        TableName: tables.table,
        Item: { vodTaskId: { S: '1256768367-half-present' }, timeOffset: { N: '1000' } },
      }),
    )
    const refusePuts = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      const { input } = args as { input: { ConditionExpression?: string } }
      if (input.ConditionExpression) {
        throw Object.assign(new Error('refused'), { name: 'ValidationException' })
      }
      return next(args)
    }
    tables.raw.middlewareStack.add(refusePuts as never, { name: 'refusePuts' })
    try {
      const report = await reconcile(window, deps())

      expect(report).toMatchObject({ complete: false, found: 2, recovered: 0, present: 1 })
    } finally {
      tables.raw.middlewareStack.remove('refusePuts')
    }
  })

  it('stops on a store error, counting as found what it could not write', async () => {
    // Found outside: the last line said "0 results found" while the log named 2 unstored.
    vod.addTask(snapshotTask('1256768367-unwritable', 50))
    const metrics = captureMetrics()
    const road = { ...deps().road, tableName: `${tables.table}-missing`, metrics }

    const report = await reconcile(window, deps({ road }))

    expect(report).toMatchObject({ complete: false, found: 2, recovered: 0, present: 0 })
    expect(report.error).toMatch(/^store: /)
    // Counted as reconcile counts what it writes, and nothing was written.
    expect(metrics.totals()).toMatchObject({ ResultsRecovered: 0, StoreFailures: 1 })
    expect(metrics.totals()).not.toHaveProperty('ResultsStored')
  })
})
