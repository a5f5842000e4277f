import { randomUUID } from 'node:crypto'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import * as local from '../../lib/local/local-dynamodb'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { captureLogger } from '../support/capture-logger'
import { fixture, fixtureText } from '../support/fixtures'
import { callbackEvent, lambdaContext } from '../support/http-event'
import {
  countItems,
  type ExpectedSnapshot,
  itemsOfTask,
  rawSnapshotItem,
} from '../support/table-reads'

const TOKEN = 'fixture-token-0123456789'
const RECEIVED_AT = '2026-11-24T03:00:00.000Z'
const TASK_ID = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'
const FILE_ID = '14508071098244929440'
const LEGACY_URL = `http://125xx.vod2.myqcloud.com/vod125xx/${FILE_ID}`
const V3_URL = 'http://125676836723.vod2.myqcloud.com/xxx/xxx'

let db: local.LocalDynamoDB
let raw: DynamoDBClient
let table: string
let logger: ReturnType<typeof captureLogger>
let receivedAt: string

beforeAll(async () => {
  db = await local.startDynalite()
  raw = local.localClient(db.endpoint)
})

afterAll(async () => {
  raw.destroy()
  await db.close()
})

beforeEach(async () => {
  table = `fixtures-${randomUUID()}`
  await local.createSnapshotsTable(db.endpoint, table)
  logger = captureLogger()
  receivedAt = RECEIVED_AT
})

/** Sends one body through the real function, wired to the local table, as VOD would. */
function send(body: string) {
  const handler = createCallbackHandler({
    config: loadConfig({ TABLE_NAME: table, CALLBACK_TOKEN: TOKEN }),
    client: raw,
    logger,
    now: () => new Date(receivedAt),
  })
  return handler(callbackEvent(body, { token: TOKEN }), lambdaContext())
}

const jsonResponse = (body: unknown) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

/** A screenshot of `FILE_ID` with template 10 (the documented examples' file and template). */
const shot = (timeOffset: number, status: number, url?: string): ExpectedSnapshot => ({
  vodTaskId: TASK_ID,
  fileId: FILE_ID,
  definition: 10,
  timeOffset,
  status,
  ...(url === undefined ? {} : { url }),
})

describe('snapshot callbacks as the docs show them', () => {
  it.each([
    [
      'legacy-snapshot-success',
      [shot(3123123, 0, `${LEGACY_URL}/xx2.png`), shot(3123213, 0, `${LEGACY_URL}/xx1.png`)],
    ],
    [
      'legacy-snapshot-failure',
      [{ ...shot(1000000, -46204), fileId: '9031868222841494656', definition: 20 }],
    ],
    ['v3-snapshot-success', [shot(10000, 0, `${V3_URL}/1.png`), shot(20000, 0, `${V3_URL}/2.png`)]],
    [
      'v3-snapshot-failure',
      [shot(10000, 0, `${V3_URL}/1.png`), shot(20000, 70000), shot(3600000, 60000)],
    ],
    [
      'v3-snapshot-no-siblings',
      [shot(10000, 0, `${V3_URL}/1.png`), shot(20000, 0, `${V3_URL}/2.png`)],
    ],
  ])(
    'stores every result of %s as one item, a URL only where VOD sent one',
    async (name, shots) => {
      const response = await send(fixtureText(name))

      expect(response).toStrictEqual(jsonResponse({ code: 0, stored: shots.length }))
      const expected = shots.map((snapshot) => rawSnapshotItem(snapshot, RECEIVED_AT))
      expect(await itemsOfTask(raw, table, TASK_ID)).toStrictEqual(expected)
      expect(await countItems(raw, table)).toBe(shots.length)
    },
  )

  it('leaves one item per offset when the same task arrives in both formats', async () => {
    const legacy = fixture<{ data: LegacyData }>('legacy-snapshot-success')
    const { vodTaskId, fileId, definition, picInfo } = legacy.data
    const v3 = {
      EventType: 'CreateSnapshotByTimeOffsetComplete',
      SnapshotByTimeOffsetCompleteEvent: {
        TaskId: vodTaskId,
        FileId: fileId,
        Definition: definition,
        SnapshotInfoSet: picInfo.map((pic) => ({
          ErrCode: pic.status,
          TimeOffset: pic.timeOffset,
          Url: pic.url,
        })),
      },
    }

    const first = await send(JSON.stringify(legacy))
    receivedAt = '2026-11-24T03:00:02.000Z'
    const second = await send(JSON.stringify(v3))

    expect([first, second]).toStrictEqual([
      jsonResponse({ code: 0, stored: 2 }),
      jsonResponse({ code: 0, stored: 2 }),
    ])
    expect(await itemsOfTask(raw, table, TASK_ID)).toStrictEqual([
      rawSnapshotItem(shot(3123123, 0, `${LEGACY_URL}/xx2.png`), receivedAt),
      rawSnapshotItem(shot(3123213, 0, `${LEGACY_URL}/xx1.png`), receivedAt),
    ])
    expect(await countItems(raw, table)).toBe(2)
  })
})

type LegacyData = {
  vodTaskId: string
  fileId: string
  definition: number
  picInfo: { status: number; timeOffset: number; url?: string }[]
}

describe('other events VOD sends to the same URL', () => {
  it.each([
    ['legacy-new-file-upload', 'NewFileUpload', 'legacy'],
    ['v3-new-file-upload', 'NewFileUpload', 'v3'],
    ['v3-procedure-state-changed', 'ProcedureStateChanged', 'v3'],
    ['legacy-transcode-complete', 'TranscodeComplete', 'legacy'],
    ['legacy-file-deleted', 'FileDeleted', 'legacy'],
    ['v3-file-deleted', 'FileDeleted', 'v3'],
  ])(
    'acknowledges %s with 200, stores nothing and logs it as ignored',
    async (name, eventType, format) => {
      const response = await send(fixtureText(name))

      expect(response).toStrictEqual(jsonResponse({ code: 0, ignored: eventType }))
      expect(await countItems(raw, table)).toBe(0)
      expect(logger.lines).toContainEqual({
        level: 'INFO',
        message: 'callback ignored',
        fields: expect.objectContaining({ eventType, format }),
      })
    },
  )
})
