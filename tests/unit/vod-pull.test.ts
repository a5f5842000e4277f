import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { UNSTORED_CALLBACK_MARKER } from '../../lib/durability/fallback-message'
import { extractLoggedQuarantine } from '../../lib/durability/quarantine-import'
import { createForwarder } from '../../lib/forward/forwarder'
import { chunk, type DrainOptions, drainVodQueue } from '../../lib/pull/drain'
import type { VodEventQueue } from '../../lib/pull/vod-client'
import { noMetrics, quietLogger } from '../../lib/runtime/log'
import { captureLogger } from '../support/capture-logger'
import { memoryQuarantine } from '../support/memory-quarantine'
import { invalidSnapshotEvent, otherEvent, snapshotEvent } from '../support/vod-events'
import { readableBatch } from '../support/written-items'

const TABLE = 'vod-snapshots-unit'
const NOW = Date.parse('2026-11-24T03:00:00.000Z')
const ddb = mockClient(DynamoDBClient)
const vodError = (code: string) => Object.assign(new Error(`${code} from VOD`), { code })

type Event = Record<string, unknown>

/** A VOD queue in memory: each pull answers the next batch, then the empty-queue error. */
function stubVod(batches: Event[][], confirmError?: Error) {
  const confirmed: string[][] = []
  let pulls = 0
  const vod: VodEventQueue = {
    async PullEvents() {
      const batch = batches[pulls++]
      if (!batch) throw vodError('ResourceNotFound')
      return { EventSet: batch.map((event, i) => ({ EventHandle: `h${pulls}.${i}`, ...event })) }
    },
    async ConfirmEvents({ EventHandles }) {
      if (confirmError) throw confirmError
      confirmed.push(EventHandles)
      return {}
    },
  }
  return { vod, confirmed }
}

/** Forwarding to a bus that takes every event. */
function busTakingAll() {
  const publisher = { publish: async () => {} }
  const forwarder = createForwarder({
    busName: 'bus',
    publisher,
    logger: quietLogger,
    metrics: noMetrics,
  })
  return { forwarder, forwardAll: false }
}

function drain(vod: VodEventQueue, overrides: Partial<DrainOptions> = {}) {
  const logger = captureLogger()
  const client = new DynamoDBClient({})
  const options = { maxAttempts: 2, sleep: async () => {} }
  const run = drainVodQueue({
    vod,
    store: { client, tableName: TABLE, options },
    logger,
    forwarding: busTakingAll(),
    quarantine: memoryQuarantine(),
    deadline: NOW + 60_000,
    now: () => NOW,
    ...overrides,
  })
  return run.then((report) => ({ report, logger }))
}

beforeEach(() => {
  ddb.reset()
  ddb.on(BatchWriteItemCommand).resolves({})
})

describe('chunk', () => {
  it('cuts a list into consecutive chunks of at most the size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toStrictEqual([[1, 2], [3, 4], [5]])
    expect(chunk([], 16)).toStrictEqual([])
  })
})

describe('drainVodQueue', () => {
  it('writes each snapshot event as the HTTP function would, with the time of the pull', async () => {
    const { vod } = stubVod([[snapshotEvent('task-a', [0, 1000])]])

    const { report } = await drain(vod)

    expect(readableBatch(ddb.commandCalls(BatchWriteItemCommand)[0]?.args[0].input)).toStrictEqual({
      RequestItems: {
        [TABLE]: [0, 1000].map((timeOffset) => ({
          PutRequest: {
            Item: {
              vodTaskId: 'task-a',
              fileId: '14508071098244929440',
              definition: 10,
              timeOffset,
              status: 0,
              url: `http://125676836723.vod2.myqcloud.com/xxx/task-a/${timeOffset}.png`,
              eventType: 'CreateSnapshotByTimeOffsetComplete',
              receivedAt: '2026-11-24T03:00:00.000Z',
            },
          },
        })),
      },
    })
    expect(report).toStrictEqual({
      ...{ pulls: 2, pulled: 1, storedEvents: 1, storedResults: 2, ignored: 0, invalid: 0 },
      ...{ confirmed: 1, unconfirmed: 0, unpassed: 0, unkept: 0, stop: 'empty' },
    })
  })

  it('leaves another event type in the queue, and says so, when there is no bus', async () => {
    const { vod, confirmed } = stubVod([[otherEvent(0), snapshotEvent('task-a', [0])]])

    const { report, logger } = await drain(vod, { forwarding: undefined })

    expect(confirmed).toStrictEqual([['h1.1']])
    expect(report).toMatchObject({ ignored: 0, unpassed: 1, unconfirmed: 1, confirmed: 1 })
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ message: 'vod event left in the queue: no bus to pass it on to' }),
    )
  })

  it('reports the counts so far after each confirmed batch, for a progress line', async () => {
    const { vod } = stubVod([[snapshotEvent('task-a', [0]), otherEvent(0)], [otherEvent(1)]])
    const seen: { pulled: number; confirmed: number }[] = []

    await drain(vod, { onBatch: ({ pulled, confirmed }) => seen.push({ pulled, confirmed }) })

    expect(seen).toStrictEqual([
      { pulled: 2, confirmed: 2 },
      { pulled: 3, confirmed: 3 },
    ])
  })

  it('confirms at most 16 handles a call, even when a pull gives more', async () => {
    const batch = Array.from({ length: 20 }, (_, i) => otherEvent(i))
    const { vod, confirmed } = stubVod([batch])

    await drain(vod)

    expect(confirmed.map((handles) => handles.length)).toStrictEqual([16, 4])
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0)
  })

  it('never confirms an event whose results were not stored', async () => {
    ddb.on(BatchWriteItemCommand).callsFake((input) => {
      const task = input.RequestItems[TABLE][0].PutRequest.Item.vodTaskId.S
      if (task === 'task-down')
        throw Object.assign(new Error('boom'), { name: 'InternalServerError' })
      return {}
    })
    const { vod, confirmed } = stubVod([
      [snapshotEvent('task-up', [0]), snapshotEvent('task-down', [0]), otherEvent(0)],
    ])

    const { report, logger } = await drain(vod)

    expect(confirmed).toStrictEqual([['h1.0', 'h1.2']])
    expect(report).toMatchObject({ storedEvents: 1, confirmed: 2, unconfirmed: 1, stop: 'empty' })
    expect(logger.lines.filter((l) => l.level === 'ERROR')).toStrictEqual([
      {
        level: 'ERROR',
        message: 'results not stored',
        fields: { vodTaskId: 'task-down', unstored: 1, reason: 'boom' },
      },
    ])
  })

  it('keeps an invalid snapshot event whole in the quarantine, then confirms it', async () => {
    const invalid = invalidSnapshotEvent('task-bad')
    const { vod, confirmed } = stubVod([[invalid]])
    const quarantine = memoryQuarantine()

    const { report } = await drain(vod, { quarantine })

    expect(confirmed).toStrictEqual([['h1.0']])
    expect(report).toMatchObject({ invalid: 1, storedEvents: 0, confirmed: 1, stop: 'empty' })
    expect(quarantine.kept).toStrictEqual([
      {
        kind: 'vod-snapshots/quarantined-callback',
        id: '20261124T030000000Z-h10',
        receivedAt: '2026-11-24T03:00:00.000Z',
        requestId: 'h1.0',
        statusCode: 422,
        problems: [
          'SnapshotByTimeOffsetCompleteEvent.SnapshotInfoSet.0.TimeOffset: the time offset must not be negative',
        ],
        eventType: 'CreateSnapshotByTimeOffsetComplete',
        body: JSON.stringify(invalid),
        bodyEncoding: 'utf8',
      },
    ])
  })

  it('without a quarantine, logs an invalid event in pieces but leaves it in the queue', async () => {
    const invalid = invalidSnapshotEvent('task-bad')
    const { report, logger } = await drain(stubVod([[invalid]]).vod, { quarantine: undefined })
    const lines = logger.lines
      .filter((line) => line.message === UNSTORED_CALLBACK_MARKER)
      .map(
        (line) =>
          `2026-11-24T03:00:00Z\t${JSON.stringify({ message: line.message, ...line.fields })}`,
      )

    expect(report).toMatchObject({ invalid: 0, unkept: 1, confirmed: 0, unconfirmed: 1 })
    expect(extractLoggedQuarantine(lines.join('\n')).entries.map((e) => e.body)).toStrictEqual([
      JSON.stringify(invalid),
    ])
  })

  it('with a quarantine that fails, leaves an invalid event in the queue without asking for a bucket', async () => {
    // Found outside: a bucket S3 refused was reported as "no quarantine to keep them in".
    const { report } = await drain(stubVod([[invalidSnapshotEvent('task-bad')]]).vod, {
      quarantine: memoryQuarantine(new Error('NoSuchBucket')),
    })

    expect(report).toMatchObject({ invalid: 0, unkept: 0, confirmed: 0, unconfirmed: 1 })
  })

  it('stores an event that came without a handle but cannot confirm it', async () => {
    const answers = [{ EventSet: [snapshotEvent('no-handle', [0])] }]
    const vod: VodEventQueue = {
      PullEvents: async () => answers.shift() ?? Promise.reject(vodError('ResourceNotFound')),
      ConfirmEvents: async () => ({}),
    }

    const { report, logger } = await drain(vod)

    expect(report).toMatchObject({ storedEvents: 1, confirmed: 0, unconfirmed: 1, stop: 'empty' })
    expect(logger.lines[0]).toMatchObject({ level: 'WARN', message: 'vod event without a handle' })
  })

  it('stops on the first empty pull, whether VOD says ResourceNotFound or sends no events', async () => {
    const answers: VodEventQueue['PullEvents'][] = [
      async () => ({ EventSet: [] }),
      async () => ({}),
      async () => Promise.reject(vodError('ResourceNotFound')),
    ]
    for (const PullEvents of answers) {
      const vod = { PullEvents, ConfirmEvents: async () => ({}) }
      expect((await drain(vod)).report).toMatchObject({ pulls: 1, pulled: 0, stop: 'empty' })
    }
  })

  it('ends on a pull error without confirming anything', async () => {
    let confirms = 0
    const vod: VodEventQueue = {
      PullEvents: async () => Promise.reject(vodError('InternalError')),
      ConfirmEvents: async () => ({ RequestId: String(++confirms) }),
    }

    const { report, logger } = await drain(vod)

    expect(report).toMatchObject({ pulls: 1, confirmed: 0, stop: 'vod-error' })
    expect(confirms).toBe(0)
    expect(logger.lines).toStrictEqual([
      {
        level: 'ERROR',
        message: 'vod pull failed',
        fields: { code: 'InternalError', reason: 'InternalError from VOD' },
      },
    ])
  })

  it('counts handles whose confirmation failed as unconfirmed and ends the drain', async () => {
    const { vod } = stubVod([[otherEvent(0)], [otherEvent(1)]], vodError('InvalidParameterValue'))

    const { report } = await drain(vod)

    expect(report).toMatchObject({ pulls: 1, ignored: 1, confirmed: 0, unconfirmed: 1 })
    expect(report.stop).toBe('vod-error')
  })

  it('stops pulling once no snapshot event of a batch could be stored', async () => {
    ddb
      .on(BatchWriteItemCommand)
      .rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }))
    const { vod } = stubVod([[snapshotEvent('a', [0]), otherEvent(0)], [snapshotEvent('b', [0])]])

    const { report } = await drain(vod)

    expect(report).toMatchObject({ pulls: 1, confirmed: 1, unconfirmed: 1, stop: 'store-failing' })
  })

  it('starts no pull within the runway of its deadline, and passes the SubAppId', async () => {
    const requests: unknown[] = []
    const vod: VodEventQueue = {
      PullEvents: async (request) => {
        requests.push(request)
        return {}
      },
      ConfirmEvents: async () => ({}),
    }
    const late = await drain(vod, { deadline: NOW + 19_999 })
    expect(late.report).toMatchObject({ pulls: 0, stop: 'deadline' })
    expect(requests).toStrictEqual([])

    await drain(vod, { deadline: NOW + 20_000, subAppId: 1500000001 })
    expect(requests).toStrictEqual([{ SubAppId: 1500000001 }])
  })
})
