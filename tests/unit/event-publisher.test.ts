import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  EventPublishError,
  eventBridgePublisher,
  putEventsBatches,
} from '../../lib/forward/event-publisher'
import {
  entryBytes,
  MAX_ENTRY_BYTES,
  UNNAMED_EVENT_TYPE,
  vodEventEntry,
} from '../../lib/forward/vod-event-entry'
import { fixtureText } from '../support/fixtures'

const BUS = 'vod-snapshots-unit'
const eventBridge = mockClient(EventBridgeClient)
const entry = (n: number, bytes = 100) =>
  vodEventEntry('NewFileUpload', `{"n":${n},"p":"${'x'.repeat(bytes)}"}`, BUS)

beforeEach(() => {
  eventBridge.reset()
})

describe('vodEventEntry', () => {
  it('puts the body on the bus exactly as VOD sent it, under its event type', () => {
    const body = fixtureText('v3-new-file-upload')
    expect(vodEventEntry('NewFileUpload', body, BUS)).toStrictEqual({
      Source: 'vod-snapshots',
      DetailType: 'NewFileUpload',
      Detail: body,
      EventBusName: BUS,
    })
  })

  it('names an event whose type VOD does not document VodEvent', () => {
    expect(vodEventEntry('New File <Upload>', '{}', BUS).DetailType).toBe(UNNAMED_EVENT_TYPE)
    expect(vodEventEntry(undefined, '{}', BUS).DetailType).toBe(UNNAMED_EVENT_TYPE)
    expect(vodEventEntry('x'.repeat(65), '{}', BUS).DetailType).toBe(UNNAMED_EVENT_TYPE)
  })

  it('counts an entry as EventBridge does: source, detail-type and detail in UTF-8', () => {
    expect(entryBytes(vodEventEntry('FileDeleted', '{"é":1}', BUS))).toBe(
      'vod-snapshots'.length + 'FileDeleted'.length + 8,
    )
  })
})

describe('putEventsBatches', () => {
  it('puts at most 10 entries, and at most 256 KB, in one request', () => {
    const small = Array.from({ length: 23 }, (_, i) => entry(i))
    expect(putEventsBatches(small).map((batch) => batch.length)).toStrictEqual([10, 10, 3])
    const large = Array.from({ length: 5 }, (_, i) => entry(i, 100_000))
    const batches = putEventsBatches(large)
    expect(batches.map((batch) => batch.length)).toStrictEqual([2, 2, 1])
    for (const batch of batches) {
      expect(batch.reduce((n, e) => n + entryBytes(e), 0)).toBeLessThanOrEqual(MAX_ENTRY_BYTES)
    }
  })
})

describe('eventBridgePublisher', () => {
  it('sends every entry with PutEvents', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] })
    await eventBridgePublisher(eventBridge as unknown as EventBridgeClient).publish([entry(1)])
    expect(
      eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input),
    ).toStrictEqual([{ Entries: [entry(1)] }])
  })

  it('sends again only the entries EventBridge failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: '1' }, { ErrorCode: 'ThrottlingException' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: '2' }] })
    const publisher = eventBridgePublisher(eventBridge as unknown as EventBridgeClient, {
      baseDelayMs: 1,
    })
    await publisher.publish([entry(1), entry(2)])
    expect(
      eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input),
    ).toStrictEqual([{ Entries: [entry(1), entry(2)] }, { Entries: [entry(2)] }])
  })

  it('hands back what it could not publish after the last attempt', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('EventBridge is down'))
    const publisher = eventBridgePublisher(eventBridge as unknown as EventBridgeClient, {
      baseDelayMs: 1,
      maxAttempts: 3,
    })
    const failure = await publisher.publish([entry(1), entry(2)]).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(EventPublishError)
    expect((failure as EventPublishError).unpublished).toStrictEqual([entry(1), entry(2)])
    expect(((failure as EventPublishError).cause as Error).message).toBe('EventBridge is down')
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3)
  })

  it('never sends again an entry EventBridge refused for what it is', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { ErrorCode: 'MalformedDetail' },
          { ErrorCode: 'ThrottlingException' },
          { EventId: '3' },
        ],
      })
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] })
    const publisher = eventBridgePublisher(eventBridge as unknown as EventBridgeClient, {
      baseDelayMs: 1,
      maxAttempts: 3,
    })
    const failure = (await publisher
      .publish([entry(1), entry(2), entry(3)])
      .catch((error: unknown) => error)) as EventPublishError
    expect(failure.refused).toStrictEqual([entry(1)])
    expect(failure.unpublished).toStrictEqual([entry(2)])
    expect(
      eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input),
    ).toStrictEqual([
      { Entries: [entry(1), entry(2), entry(3)] },
      { Entries: [entry(2)] },
      { Entries: [entry(2)] },
    ])
  })

  it('stops at the deadline', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('slow'))
    const publisher = eventBridgePublisher(eventBridge as unknown as EventBridgeClient, {
      baseDelayMs: 1,
    })
    const failure = await publisher
      .publish([entry(1)], AbortSignal.abort(new Error('deadline')))
      .catch((error: unknown) => error)
    expect((failure as EventPublishError).unpublished).toStrictEqual([entry(1)])
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0)
  })
})
