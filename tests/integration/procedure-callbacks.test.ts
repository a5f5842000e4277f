import { beforeEach, describe, expect, it } from 'vitest'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { captureLogger } from '../support/capture-logger'
import { fixtureText } from '../support/fixtures'
import { callbackEvent, lambdaContext } from '../support/http-event'
import { LOCAL_BACKENDS, useLocalTable } from '../support/local-backends'
import {
  countItems,
  type ExpectedSnapshot,
  itemsOfFile,
  itemsOfTask,
  type RawItem,
  rawSnapshotItem,
} from '../support/table-reads'

const TOKEN = 'fixture-token-0123456789'
const RECEIVED_AT = '2026-11-24T03:00:00.000Z'
const TASK_ID = '1256768367-Procedure-475b72xxxcb177t1'
const FILE_ID = '5285890784246869930'
const SHOTS = 'https://1256768367.vod2.myqcloud.com/xxx/xxx/snapshot'
const LEGACY_TASK_ID = '251000333-mango-c27bdf65ea06646171e714f25f5aac63'
const LEGACY_SHOTS =
  'http://125xx.vod2.myqcloud.com/42f909a8vodtransgzp251000333/dee2963524820810452267193/snapshot/1502280085_887773835.100_'

/** A task-flow screenshot of the v3 fixtures' procedure. */
const shot = (
  vodTaskId: string,
  definition: number,
  timeOffset: number,
  extra: Partial<ExpectedSnapshot> = {},
): ExpectedSnapshot => ({
  vodTaskId,
  fileId: FILE_ID,
  definition,
  timeOffset,
  status: 0,
  url: `${SHOTS}/${definition}_${timeOffset}.jpg`,
  eventType: 'ProcedureStateChanged',
  procedureTaskId: TASK_ID,
  ...extra,
})

const jsonResponse = (body: unknown) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

// The index orders by offset only: two templates at one offset may come back in either order.
const byKey = (items: RawItem[]) =>
  [...items].sort((a, b) =>
    `${a.vodTaskId?.S}#${a.timeOffset?.N}`.localeCompare(`${b.vodTaskId?.S}#${b.timeOffset?.N}`),
  )

describe.each(LOCAL_BACKENDS)('task-flow callbacks on $name', (backend) => {
  const tables = useLocalTable(backend, 'procedures')
  let logger: ReturnType<typeof captureLogger>
  beforeEach(() => {
    logger = captureLogger()
  })

  /** Sends one fixture through the real function, wired to the local table, as VOD would. */
  function send(name: string) {
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: tables.table, CALLBACK_TOKEN: TOKEN }),
      client: tables.raw,
      logger,
      now: () => new Date(RECEIVED_AT),
    })
    return handler(callbackEvent(fixtureText(name), { token: TOKEN }), lambdaContext())
  }

  const raws = (shots: ExpectedSnapshot[]) => shots.map((s) => rawSnapshotItem(s, RECEIVED_AT))

  it('stores a v3.0 procedure item by item: fractional offsets, session and watermarks', async () => {
    const session = { sessionContext: 'order-4711', sessionId: 'dedup-4711' }
    const expected = raws([
      shot(`${TASK_ID}#10`, 10, 3500, { ...session, watermarkDefinitions: [1000] }),
      shot(`${TASK_ID}#10`, 10, 10000.5, session),
    ])

    expect(await send('v3-procedure-snapshot')).toStrictEqual(jsonResponse({ code: 0, stored: 2 }))
    expect(await itemsOfTask(tables.raw, tables.table, `${TASK_ID}#10`)).toStrictEqual(expected)
    expect(await itemsOfFile(tables.raw, tables.table, FILE_ID)).toStrictEqual(expected)
  })

  it.each([
    ['legacy-procedure-state-changed', 400],
    ['legacy-procedure-fractional', 400.5],
  ])('stores the legacy procedure %s the same way', async (name, second) => {
    const legacy = (timeOffset: number): ExpectedSnapshot => ({
      vodTaskId: `${LEGACY_TASK_ID}#10`,
      fileId: '123123123',
      definition: 10,
      timeOffset,
      status: 0,
      url: `${LEGACY_SHOTS}${timeOffset}.jpg`,
      eventType: 'ProcedureStateChanged',
      procedureTaskId: LEGACY_TASK_ID,
    })

    const response = await send(name)

    expect(response).toStrictEqual(jsonResponse({ code: 0, stored: 2 }))
    expect(await itemsOfTask(tables.raw, tables.table, `${LEGACY_TASK_ID}#10`)).toStrictEqual(
      raws([legacy(300), legacy(second)]),
    )
  })

  it('keys two templates at the same offsets apart, and finds all four by video', async () => {
    const expected = raws([
      shot(`${TASK_ID}#10`, 10, 1000),
      shot(`${TASK_ID}#10`, 10, 2000),
      shot(`${TASK_ID}#20`, 20, 1000),
      shot(`${TASK_ID}#20`, 20, 2000),
    ])

    const response = await send('v3-procedure-two-templates')

    expect(response).toStrictEqual(jsonResponse({ code: 0, stored: 4 }))
    expect(await itemsOfTask(tables.raw, tables.table, `${TASK_ID}#10`)).toStrictEqual(
      expected.slice(0, 2),
    )
    expect(await itemsOfTask(tables.raw, tables.table, `${TASK_ID}#20`)).toStrictEqual(
      expected.slice(2),
    )
    expect(await itemsOfTask(tables.raw, tables.table, TASK_ID)).toStrictEqual([])
    expect(byKey(await itemsOfFile(tables.raw, tables.table, FILE_ID))).toStrictEqual(expected)
  })

  it('stores what has finished at each Change-mode delivery; a redelivery changes nothing', async () => {
    const first = await send('v3-procedure-change-processing')
    const afterFirst = byKey(await itemsOfFile(tables.raw, tables.table, FILE_ID))
    const second = await send('v3-procedure-change-finish')
    const again = await send('v3-procedure-change-finish')

    expect([first, second, again]).toStrictEqual([
      jsonResponse({ code: 0, stored: 2 }),
      jsonResponse({ code: 0, stored: 4 }),
      jsonResponse({ code: 0, stored: 4 }),
    ])
    const template10 = [shot(`${TASK_ID}#10`, 10, 1000), shot(`${TASK_ID}#10`, 10, 2000)]
    const template20 = [shot(`${TASK_ID}#20`, 20, 1000), shot(`${TASK_ID}#20`, 20, 2000)]
    expect(afterFirst).toStrictEqual(raws(template10))
    expect(byKey(await itemsOfFile(tables.raw, tables.table, FILE_ID))).toStrictEqual(
      raws([...template10, ...template20]),
    )
    expect(await countItems(tables.raw, tables.table)).toBe(4)
  })

  it('keeps a failed subtask as one failure item per definite offset, and counts the rest', async () => {
    const failed = (timeOffset: number) =>
      shot(`${TASK_ID}#10`, 10, timeOffset, { status: 60000, url: undefined })
    const expected = raws([failed(1000.5), failed(3500)])

    const response = await send('v3-procedure-snapshot-failure')

    expect(response).toStrictEqual(jsonResponse({ code: 0, stored: 2 }))
    expect(await itemsOfTask(tables.raw, tables.table, `${TASK_ID}#10`)).toStrictEqual(expected)
    expect(logger.lines).toContainEqual({
      level: 'WARN',
      message: 'failed screenshots without an offset',
      fields: { vodTaskId: TASK_ID, unkeyedFailures: 1 },
    })
  })

  it('acknowledges a procedure without a snapshot subtask and stores nothing', async () => {
    const response = await send('v3-procedure-state-changed')

    expect(response).toStrictEqual(jsonResponse({ code: 0, ignored: 'ProcedureStateChanged' }))
    expect(await countItems(tables.raw, tables.table)).toBe(0)
  })
})
