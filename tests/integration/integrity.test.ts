import { unmarshall } from '@aws-sdk/util-dynamodb'
import { describe, expect, it } from 'vitest'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { captureLogger } from '../support/capture-logger'
import { legacyCallbackWith } from '../support/fixtures'
import { callbackEvent, lambdaContext } from '../support/http-event'
import { LOCAL_BACKENDS, useLocalTable } from '../support/local-backends'
import { countItems, itemsOfFile } from '../support/table-reads'

const TOKEN = 'integrity-token-0123456789'
const FLOW = '1256768367-Procedure-integrity'
const FILE_ID = '5285890784246869930'
const SHOTS = 'https://1256768367.vod2.myqcloud.com/xxx/snapshot'

interface Subtask {
  definition: number
  status: 'SUCCESS' | 'FAIL'
  offsets: number[]
}

/** A v3.0 task flow as VOD sends it, with a session and watermarked pictures. */
function v3Flow(subtasks: Subtask[], taskId = FLOW) {
  return {
    EventType: 'ProcedureStateChanged',
    ProcedureStateChangeEvent: {
      TaskId: taskId,
      Status: 'FINISH',
      FileId: FILE_ID,
      SessionContext: 'order-4711',
      SessionId: 'dedup-4711',
      MediaProcessResultSet: subtasks.map(({ definition, status, offsets }) => ({
        Type: 'SnapshotByTimeOffset',
        SnapshotByTimeOffsetTask: {
          Status: status,
          ErrCode: status === 'FAIL' ? 70000 : 0,
          Input: { Definition: definition, TimeOffsetSet: offsets, ExtTimeOffsetSet: [] },
          Output:
            status === 'FAIL'
              ? null
              : {
                  Definition: definition,
                  PicInfoSet: offsets.map((offset) => ({
                    TimeOffset: offset,
                    Url: `${SHOTS}/${definition}_${offset}.jpg`,
                    WaterMarkDefinition: [1000],
                  })),
                },
        },
      })),
    },
  }
}

/** The same task flow as the legacy ("v2.0") URL receives it: no session, no watermarks. */
function legacyFlow(subtasks: Subtask[]) {
  return {
    version: '4.0',
    eventType: 'ProcedureStateChanged',
    data: {
      vodTaskId: FLOW,
      status: 'FINISH',
      fileId: FILE_ID,
      processTaskList: subtasks.map(({ definition, status, offsets }) => ({
        taskType: 'SnapshotByTimeOffset',
        status,
        errCode: status === 'FAIL' ? 70000 : 0,
        input: { definition, timeOffset: offsets },
        output:
          status === 'FAIL'
            ? null
            : {
                imgInfo: offsets.map((offset) => ({
                  timeOffset: offset,
                  url: `${SHOTS}/${definition}_${offset}.jpg`,
                })),
              },
      })),
    },
  }
}

describe.each(LOCAL_BACKENDS)('the integrity rules on $name', (backend) => {
  const tables = useLocalTable(backend, 'integrity')

  /** Sends one body through the real function, received at `at`. */
  async function send(body: unknown, at = '2026-11-24T03:00:00.000Z') {
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: tables.table, CALLBACK_TOKEN: TOKEN }),
      client: tables.raw,
      logger: captureLogger(),
      now: () => new Date(at),
    })
    const response = await handler(
      callbackEvent(JSON.stringify(body), { token: TOKEN }),
      lambdaContext(),
    )
    return response?.statusCode
  }
  const stored = async () =>
    (await itemsOfFile(tables.raw, tables.table, FILE_ID))
      .map((item) => unmarshall(item))
      .sort((a, b) =>
        `${a.vodTaskId}/${a.timeOffset}`.localeCompare(`${b.vodTaskId}/${b.timeOffset}`),
      )

  it('never replaces a stored success with a later failure of the same screenshots', async () => {
    const success = v3Flow([{ definition: 10, status: 'SUCCESS', offsets: [1000, 2000] }])
    const failure = v3Flow([{ definition: 10, status: 'FAIL', offsets: [1000, 2000, 3000] }])
    expect(await send(success)).toBe(200)
    const before = await stored()

    expect(await send(failure, '2026-11-24T04:00:00.000Z')).toBe(200)

    const after = await stored()
    expect(after.slice(0, 2)).toStrictEqual(before)
    expect(after.map((item) => [item.timeOffset, item.status, item.url])).toStrictEqual([
      [1000, 0, `${SHOTS}/10_1000.jpg`],
      [2000, 0, `${SHOTS}/10_2000.jpg`],
      [3000, 70000, undefined],
    ])
  })

  it("never replaces a failure's code with a later failure that has none", async () => {
    // Found outside: a FAIL delivery with ErrCode 0 (stored as -1) overwrote 70000.
    const coded = v3Flow([{ definition: 10, status: 'FAIL', offsets: [1000] }])
    const uncoded = structuredClone(coded)
    const [subtask] = uncoded.ProcedureStateChangeEvent.MediaProcessResultSet
    if (subtask) subtask.SnapshotByTimeOffsetTask.ErrCode = 0
    expect(await send(coded)).toBe(200)

    expect(await send(uncoded, '2026-11-24T04:00:00.000Z')).toBe(200)

    expect((await stored()).map((item) => [item.status, item.receivedAt])).toStrictEqual([
      [70000, '2026-11-24T04:00:00.000Z'],
    ])
    // Where no code was stored, the failure without one is stored as -1.
    const other = structuredClone(uncoded)
    other.ProcedureStateChangeEvent.TaskId = `${FLOW}-other`
    expect(await send(other)).toBe(200)
    expect(
      Object.fromEntries((await stored()).map((item) => [item.vodTaskId, item.status])),
    ).toStrictEqual({ [`${FLOW}#10`]: 70000, [`${FLOW}-other#10`]: -1 })
  })

  it('lets a success replace a failure', async () => {
    expect(await send(v3Flow([{ definition: 10, status: 'FAIL', offsets: [1000] }]))).toBe(200)
    expect(await send(v3Flow([{ definition: 10, status: 'SUCCESS', offsets: [1000] }]))).toBe(200)
    expect((await stored()).map((item) => [item.status, item.url])).toStrictEqual([
      [0, `${SHOTS}/10_1000.jpg`],
    ])
  })

  it('never replaces a 2017 success with a later failure at the same offset', async () => {
    const success = legacyCallbackWith(1, 'CreateSnapshotByTimeOffset-integrity')
    success.data.fileId = FILE_ID
    const failure = structuredClone(success)
    const [pic] = failure.data.picInfo
    if (!pic) throw new Error('no picture')
    Object.assign(pic, { status: -46204, url: undefined })
    expect(await send(success)).toBe(200)
    expect(await send(failure)).toBe(200)
    expect((await stored()).map((item) => item.status)).toStrictEqual([0])
  })

  it.each([
    ['the legacy twin arrives after the v3.0 delivery', [v3Flow, legacyFlow]],
    ['the v3.0 delivery arrives after the legacy twin', [legacyFlow, v3Flow]],
  ] as const)('ends with the union of both formats when %s', async (_, [first, second]) => {
    const subtasks: Subtask[] = [{ definition: 10, status: 'SUCCESS', offsets: [1000] }]
    expect(await send(first(subtasks))).toBe(200)
    expect(await send(second(subtasks))).toBe(200)
    expect(await stored()).toStrictEqual([
      {
        vodTaskId: `${FLOW}#10`,
        timeOffset: 1000,
        fileId: FILE_ID,
        definition: 10,
        status: 0,
        url: `${SHOTS}/10_1000.jpg`,
        eventType: 'ProcedureStateChanged',
        procedureTaskId: FLOW,
        sessionContext: 'order-4711',
        sessionId: 'dedup-4711',
        watermarkDefinitions: [1000],
        receivedAt: '2026-11-24T03:00:00.000Z',
      },
    ])
  })

  it('keeps one key per screenshot whatever a delivery lists', async () => {
    const ten: Subtask = { definition: 10, status: 'SUCCESS', offsets: [1000, 2000] }
    const twenty: Subtask = { definition: 20, status: 'SUCCESS', offsets: [1000] }
    expect(await send(v3Flow([ten]))).toBe(200)
    expect(await send(v3Flow([ten, twenty]))).toBe(200)
    expect(await send(v3Flow([twenty]))).toBe(200)
    expect(await countItems(tables.raw, tables.table)).toBe(3)
    expect((await stored()).map((item) => item.vodTaskId)).toStrictEqual([
      `${FLOW}#10`,
      `${FLOW}#10`,
      `${FLOW}#20`,
    ])
  })

  it("refuses a task ID that would write into another flow's key", async () => {
    expect(await send(v3Flow([{ definition: 10, status: 'SUCCESS', offsets: [1000] }]))).toBe(200)
    const before = await stored()
    const intruder = v3Flow([{ definition: 7, status: 'SUCCESS', offsets: [1000] }], `${FLOW}#10`)
    expect(await send(intruder)).toBe(422)
    expect(await stored()).toStrictEqual(before)
  })
})
