import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge'
import type { SQSEvent } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { createRedriveHandler } from '../../lib/durability/redrive'
import { toUnpublishedMessages } from '../../lib/durability/unpublished-events'
import { type EventPublisher, eventBridgePublisher } from '../../lib/forward/event-publisher'
import { createForwarder } from '../../lib/forward/forwarder'
import { redriveForwarding } from '../../lib/forward/redrive-forwarding'
import { vodEventEntry } from '../../lib/forward/vod-event-entry'
import { drainVodQueue } from '../../lib/pull/drain'
import type { VodEventQueue } from '../../lib/pull/vod-client'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import { fixture, fixtureText } from '../support/fixtures'
import { callbackEvent, lambdaContext } from '../support/http-event'
import { otherEvent, snapshotEvent } from '../support/vod-events'

const TABLE = 'vod-snapshots-unit'
const TOKEN = 'first-token-0123456789'
const BUS = 'vod-snapshots-unit'
const NOW = new Date('2026-11-24T03:00:00.000Z')
const ddb = mockClient(DynamoDBClient)
const eventBridge = mockClient(EventBridgeClient)

/** A publisher that keeps what it is given, or fails every publish when told to. */
function fakePublisher(failure?: Error): EventPublisher & { published: PutEventsRequestEntry[] } {
  const published: PutEventsRequestEntry[] = []
  return {
    published,
    async publish(entries) {
      if (failure) throw failure
      published.push(...entries)
    },
  }
}

function fakeEventQueue(failure?: Error) {
  const sent: PutEventsRequestEntry[][] = []
  return {
    sent,
    send: async () => 1,
    async sendEvents(entries: readonly PutEventsRequestEntry[]) {
      if (failure) throw failure
      sent.push([...entries])
      return 1
    },
  }
}

function handlerWith(publisher: EventPublisher, { all = false, queue = fakeEventQueue() } = {}) {
  const logger = captureLogger()
  const handler = createCallbackHandler({
    config: loadConfig({ TABLE_NAME: TABLE, CALLBACK_TOKEN: TOKEN }),
    client: new DynamoDBClient({}),
    logger,
    metrics: captureMetrics(),
    now: () => NOW,
    forwarding: { publisher, busName: BUS, fallback: queue, all },
  })
  const send = (body: string) => handler(callbackEvent(body, { token: TOKEN }), lambdaContext())
  return { send, logger, queue }
}

beforeEach(() => {
  ddb.reset()
  ddb.on(BatchWriteItemCommand).resolves({})
  eventBridge.reset()
})

describe('the callback function with forwarding', () => {
  it('puts every event it does not store on the bus, its body byte for byte', async () => {
    const publisher = fakePublisher()
    const { send } = handlerWith(publisher)
    const upload = fixtureText('v3-new-file-upload')
    // A task flow without a screenshot subtask, with a number past 2^53 that must stay as sent.
    const flow = fixtureText('v3-procedure-state-changed').replace(
      '{',
      '{"Big":12345678901234567890,',
    )

    expect((await send(upload))?.body).toBe('{"code":0,"ignored":"NewFileUpload"}')
    expect((await send(flow))?.body).toBe('{"code":0,"ignored":"ProcedureStateChanged"}')

    expect(publisher.published).toStrictEqual([
      { Source: 'vod-snapshots', DetailType: 'NewFileUpload', Detail: upload, EventBusName: BUS },
      {
        Source: 'vod-snapshots',
        DetailType: 'ProcedureStateChanged',
        Detail: flow,
        EventBusName: BUS,
      },
    ])
    expect(ddb.commandCalls(BatchWriteItemCommand)).toStrictEqual([])
  })

  it('announces stored results once, and forwards nothing else unless told to', async () => {
    const publisher = fakePublisher()
    await handlerWith(publisher).send(fixtureText('v3-procedure-two-templates'))

    expect(publisher.published.map((entry) => entry.DetailType)).toStrictEqual([
      'SnapshotResultsStored',
    ])
    const body = fixture<{ ProcedureStateChangeEvent: { TaskId: string; FileId: string } }>(
      'v3-procedure-two-templates',
    )
    const { TaskId, FileId } = body.ProcedureStateChangeEvent
    const detail = JSON.parse(publisher.published[0]?.Detail ?? '{}')
    expect(detail).toMatchObject({
      taskId: TaskId,
      fileId: FileId,
      eventType: 'ProcedureStateChanged',
      receivedAt: NOW.toISOString(),
      failed: 0,
    })
    expect(detail.vodTaskIds.every((key: string) => key.startsWith(`${TaskId}#`))).toBe(true)
    expect(detail.definitions.length).toBe(2)
    const written = ddb
      .commandCalls(BatchWriteItemCommand)
      .flatMap((call) => Object.values(call.args[0].input.RequestItems ?? {}).flat())
    expect(detail.stored).toBe(written.length)
  })

  it('with forwardAll, forwards the snapshot event too', async () => {
    const publisher = fakePublisher()
    const body = fixtureText('legacy-snapshot-success')
    await handlerWith(publisher, { all: true }).send(body)
    expect(
      publisher.published.map((entry) => [entry.DetailType, entry.Detail === body]),
    ).toStrictEqual(
      expect.arrayContaining([
        ['SnapshotResultsStored', false],
        ['CreateSnapshotByTimeOffsetComplete', true],
      ]),
    )
    expect(publisher.published).toHaveLength(2)
  })

  it('with forwardAll, forwards the snapshot event even when its results could not be stored', async () => {
    ddb
      .on(BatchWriteItemCommand)
      .rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }))
    const publisher = fakePublisher()
    const queue = fakeEventQueue()
    const body = fixtureText('legacy-snapshot-success')
    const response = await handlerWith(publisher, { all: true, queue }).send(body)
    expect(response?.statusCode).toBe(500)
    expect(publisher.published).toStrictEqual([
      vodEventEntry('CreateSnapshotByTimeOffsetComplete', body, BUS),
    ])
  })

  it('queues an event EventBridge refuses, for the redrive, and still answers 200', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('EventBridge is down'))
    const publisher = eventBridgePublisher(eventBridge as unknown as EventBridgeClient, {
      baseDelayMs: 1,
    })
    const { send, queue } = handlerWith(publisher)
    const upload = fixtureText('legacy-new-file-upload')

    expect((await send(upload))?.statusCode).toBe(200)

    expect(eventBridge.commandCalls(PutEventsCommand).length).toBeGreaterThan(0)
    expect(queue.sent).toStrictEqual([[vodEventEntry('NewFileUpload', upload, BUS)]])
  })

  it('logs the whole event under the marker when the queue fails too', async () => {
    const upload = fixtureText('legacy-new-file-upload')
    const { send, logger } = handlerWith(fakePublisher(new Error('EventBridge is down')), {
      queue: fakeEventQueue(new Error('SQS is down')),
    })
    await send(upload)
    const pieces = logger.lines.filter((line) => line.message === 'VOD_SNAPSHOTS_UNSTORED_CALLBACK')
    expect(pieces.map((line) => line.fields?.detailPart).join('')).toBe(upload)
  })
})

describe('the redrive with forwarding', () => {
  const record = (body: string) =>
    ({
      messageId: 'm1',
      body,
      attributes: { ApproximateReceiveCount: '1' },
    }) as unknown as SQSEvent['Records'][number]

  it('puts queued events on the bus, and reports them while the bus refuses', async () => {
    const entry = vodEventEntry('FileDeleted', fixtureText('v3-file-deleted'), BUS)
    const [message] = toUnpublishedMessages([entry])
    const event = { Records: [record(JSON.stringify(message))] } as SQSEvent
    const client = new DynamoDBClient({})
    const logger = captureLogger()
    const metrics = captureMetrics()

    const working = fakePublisher()
    const redrive = createRedriveHandler({
      tableName: TABLE,
      client,
      logger,
      metrics,
      forwarding: redriveForwarding({ publisher: working, busName: BUS, logger, metrics }),
    })
    expect(await redrive(event, lambdaContext())).toStrictEqual({ batchItemFailures: [] })
    expect(working.published).toStrictEqual([entry])

    const refusing = createRedriveHandler({
      tableName: TABLE,
      client,
      logger,
      metrics,
      forwarding: redriveForwarding({
        publisher: fakePublisher(new Error('EventBridge is down')),
        busName: BUS,
        logger,
        metrics,
      }),
    })
    expect(await refusing(event, lambdaContext())).toStrictEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    })
  })
})

describe('the pull with forwarding', () => {
  function stubVod(batch: Record<string, unknown>[], calls: string[]) {
    let pulled = false
    const vod: VodEventQueue = {
      async PullEvents() {
        if (pulled) throw Object.assign(new Error('empty'), { code: 'ResourceNotFound' })
        pulled = true
        calls.push('pull')
        return { EventSet: batch.map((event, i) => ({ EventHandle: `h${i}`, ...event })) }
      },
      async ConfirmEvents({ EventHandles }) {
        calls.push(`confirm ${EventHandles.join(',')}`)
        return {}
      },
    }
    return vod
  }

  function drainWith(
    publisher: EventPublisher,
    batch: Record<string, unknown>[],
    calls: string[],
    forwardAll = false,
  ) {
    const logger = captureLogger()
    const metrics = captureMetrics()
    const forwarder = createForwarder({ busName: BUS, publisher, logger, metrics })
    return drainVodQueue({
      vod: stubVod(batch, calls),
      store: { client: new DynamoDBClient({}), tableName: TABLE },
      logger,
      deadline: NOW.getTime() + 60_000,
      now: () => NOW.getTime(),
      forwarding: { forwarder, forwardAll },
    })
  }

  it('forwards an event that stores nothing, announces stored results, then confirms', async () => {
    const calls: string[] = []
    const publisher: EventPublisher = {
      async publish(entries) {
        for (const entry of entries) calls.push(`publish ${entry.DetailType}`)
      },
    }
    const report = await drainWith(
      publisher,
      [otherEvent(0), snapshotEvent('task-1', [1000])],
      calls,
    )

    expect(report).toMatchObject({ ignored: 1, storedEvents: 1, confirmed: 2, unconfirmed: 0 })
    expect(calls).toStrictEqual([
      'pull',
      'publish NewFileUpload',
      'publish SnapshotResultsStored',
      'confirm h0,h1',
    ])
  })

  it('with forwardAll, confirms a snapshot event only once it is on the bus too', async () => {
    const calls: string[] = []
    const publisher: EventPublisher = {
      async publish(entries) {
        for (const entry of entries) calls.push(`publish ${entry.DetailType}`)
      },
    }
    const report = await drainWith(publisher, [snapshotEvent('task-1', [1000])], calls, true)
    expect(report).toMatchObject({ storedEvents: 1, confirmed: 1 })
    expect(calls).toStrictEqual([
      'pull',
      'publish SnapshotResultsStored',
      'publish CreateSnapshotByTimeOffsetComplete',
      'confirm h0',
    ])
  })

  it('leaves an event the bus refused in VOD’s queue', async () => {
    const calls: string[] = []
    const report = await drainWith(
      fakePublisher(new Error('EventBridge is down')),
      [otherEvent(0), snapshotEvent('task-1', [1000])],
      calls,
    )
    expect(report).toMatchObject({ ignored: 0, storedEvents: 1, confirmed: 1, unconfirmed: 1 })
    expect(calls).toStrictEqual(['pull', 'confirm h1'])
  })
})
