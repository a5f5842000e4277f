import {
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import { parseCallback } from '../../lib/events/parse-callback'
import { storeSnapshotResults } from '../../lib/store/snapshot-store'
import { fixture, legacyCallbackWith } from '../support/fixtures'
import { LOCAL_BACKENDS, useLocalTable } from '../support/local-backends'

const TASK_ID = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'
const FILE_ID = '14508071098244929440'
const URL_PREFIX = `http://125xx.vod2.myqcloud.com/vod125xx/${FILE_ID}`
const RECEIVED_AT = '2026-01-15T08:30:00.000Z'

describe.each(LOCAL_BACKENDS)('storeSnapshotResults on $name', (backend) => {
  const tables = useLocalTable(backend, 'snapshots')

  /** The key condition `name = value` for a string key. */
  const keyIs = (name: string, value: string) => ({
    TableName: tables.table,
    KeyConditionExpression: `${name} = :v`,
    ExpressionAttributeValues: { ':v': { S: value } },
  })

  /** One query's items, as raw AttributeValues (a few items: one page). */
  const query = async (input: QueryCommandInput) =>
    (await tables.raw.send(new QueryCommand(input))).Items
  const byTask = (vodTaskId: string) => query(keyIs('vodTaskId', vodTaskId))

  /** How many items a task has, over every page of a COUNT query. */
  async function countOf(vodTaskId: string) {
    let count = 0
    const input = { ...keyIs('vodTaskId', vodTaskId), Select: 'COUNT' as const }
    for await (const page of paginateQuery({ client: tables.raw }, input)) count += page.Count ?? 0
    return count
  }

  /** Parses a callback body as the function does, then stores its results with the real store. */
  async function store(body: unknown, receivedAt = RECEIVED_AT) {
    const parsed = parseCallback(body)
    if (parsed.kind !== 'snapshots') throw new Error(`not a snapshot callback: ${parsed.eventType}`)
    return storeSnapshotResults(tables.raw, tables.table, parsed.results, receivedAt)
  }

  /** A stored screenshot of the success example, as raw AttributeValues. */
  const item = (timeOffset: number, picture?: string, receivedAt = RECEIVED_AT) => ({
    vodTaskId: { S: TASK_ID },
    timeOffset: { N: String(timeOffset) },
    fileId: { S: FILE_ID },
    definition: { N: '10' },
    status: { N: '0' },
    ...(picture && { url: { S: `${URL_PREFIX}/${picture}.png` } }),
    eventType: { S: 'CreateSnapshotByTimeOffsetComplete' },
    receivedAt: { S: receivedAt },
  })

  it("stores the seed's success example as two items with exactly the documented attributes", async () => {
    expect(await store(fixture('legacy-snapshot-success'))).toBe(2)
    expect(await byTask(TASK_ID)).toEqual([item(3123123, 'xx2'), item(3123213, 'xx1')])
  })

  it('stores the failure example with no url attribute at all', async () => {
    expect(await store(fixture('legacy-snapshot-failure'))).toBe(1)

    const items = await byTask(TASK_ID)
    const fileId = { S: '9031868222841494656' }
    const failure = { fileId, definition: { N: '20' }, status: { N: '-46204' } }
    expect(items).toEqual([{ ...item(1000000), ...failure }])
    expect(items?.[0]).not.toHaveProperty('url')
  })

  it('finds every screenshot of a video through the byFileId index', async () => {
    const v3 = fixture<{ SnapshotByTimeOffsetCompleteEvent: { TaskId: string } }>(
      'v3-snapshot-success',
    )
    v3.SnapshotByTimeOffsetCompleteEvent.TaskId = 'CreateSnapshotByTimeOffset-second-task'
    for (const body of [fixture('legacy-snapshot-success'), v3, fixture('legacy-snapshot-failure')])
      await store(body)

    const items = await query({ ...keyIs('fileId', FILE_ID), IndexName: 'byFileId' })
    expect(items?.map((i) => [i.vodTaskId?.S, i.timeOffset?.N])).toEqual([
      ['CreateSnapshotByTimeOffset-second-task', '10000'],
      ['CreateSnapshotByTimeOffset-second-task', '20000'],
      [TASK_ID, '3123123'],
      [TASK_ID, '3123213'],
    ])
  })

  it('a redelivered callback leaves the same items, no duplicates', async () => {
    const later = '2026-01-15T08:30:07.000Z'
    await store(fixture('legacy-snapshot-success'))
    await store(fixture('legacy-snapshot-success'), later)
    expect(await byTask(TASK_ID)).toEqual([
      item(3123123, 'xx2', later),
      item(3123213, 'xx1', later),
    ])
  })

  it('stores results with the same timeOffset in one callback once, the success winning', async () => {
    const body = fixture<{ data: { picInfo: object[] } }>('legacy-snapshot-success')
    const failure = { status: -46204, timeOffset: 3123123 }
    body.data.picInfo = [failure, ...body.data.picInfo, failure]
    expect(await store(body)).toBe(2)
    expect(await byTask(TASK_ID)).toEqual([item(3123123, 'xx2'), item(3123213, 'xx1')])
  })

  it('a failure delivered after the success leaves the stored success as it was', async () => {
    await store(fixture('legacy-snapshot-success'))
    const body = fixture<{ data: { picInfo: object[] } }>('legacy-snapshot-success')
    body.data.picInfo = [{ status: -46204, timeOffset: 3123123 }]
    // The refused write counts as written: the item already holds the better result.
    expect(await store(body, '2026-01-15T08:30:07.000Z')).toBe(1)
    expect(await byTask(TASK_ID)).toEqual([item(3123123, 'xx2'), item(3123213, 'xx1')])
  })

  it('a legacy task flow after its v3.0 twin merges into the items, removing nothing', async () => {
    const v3 = fixture<{ ProcedureStateChangeEvent: { TaskId: string; FileId: string } }>(
      'v3-procedure-snapshot',
    )
    const { TaskId, FileId } = v3.ProcedureStateChangeEvent
    const shots = 'https://1256768367.vod2.myqcloud.com/xxx/xxx/snapshot'
    const legacy = {
      version: '4.0',
      eventType: 'ProcedureStateChanged',
      data: {
        vodTaskId: TaskId,
        fileId: FileId,
        processTaskList: [
          {
            taskType: 'SnapshotByTimeOffset',
            status: 'SUCCESS',
            errCode: 0,
            input: { definition: 10, timeOffset: [3500] },
            output: { imgInfo: [{ timeOffset: 3500, url: `${shots}/10_3500.jpg` }] },
          },
        ],
      },
    }
    const later = '2026-01-15T08:30:07.000Z'
    expect(await store(v3)).toBe(2)
    expect(await store(legacy, later)).toBe(1)
    const shot = (timeOffset: number, receivedAt: string) => ({
      vodTaskId: { S: `${TaskId}#10` },
      timeOffset: { N: String(timeOffset) },
      fileId: { S: FileId },
      definition: { N: '10' },
      status: { N: '0' },
      url: { S: `${shots}/10_${timeOffset}.jpg` },
      eventType: { S: 'ProcedureStateChanged' },
      receivedAt: { S: receivedAt },
      procedureTaskId: { S: TaskId },
      sessionContext: { S: 'order-4711' },
      sessionId: { S: 'dedup-4711' },
    })
    // The session and watermark attributes the legacy format lacks stay; no `partial` is stored.
    expect(await byTask(`${TaskId}#10`)).toEqual([
      { ...shot(3500, later), watermarkDefinitions: { L: [{ N: '1000' }] } },
      shot(10000.5, RECEIVED_AT),
    ])
  })

  it('stores a 1,000-result callback completely', async () => {
    const startedAt = performance.now()
    expect(await store(legacyCallbackWith(1000))).toBe(1000)
    console.info(
      `${backend.name}: 1,000 results stored in ${Math.round(performance.now() - startedAt)} ms`,
    )
    expect(await countOf('CreateSnapshotByTimeOffset-load')).toBe(1000)
  })

  it('a callback with no results stores nothing and returns 0', async () => {
    expect(await store(legacyCallbackWith(0))).toBe(0)
    const { Count } = await tables.raw.send(
      new ScanCommand({ TableName: tables.table, Select: 'COUNT' }),
    )
    expect(Count).toBe(0)
  })
})
