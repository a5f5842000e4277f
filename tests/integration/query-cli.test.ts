import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { SnapshotResult } from '../../lib/events/snapshot-result'
import * as local from '../../lib/local/local-dynamodb'
import { queryByFile, queryByTask } from '../../lib/operator/snapshot-query'
import { storeSnapshotResults } from '../../lib/store/snapshot-store'
import { runScript } from '../support/run-script'
import { FILE_ID, TASK_ID } from '../support/snapshot-items'

const TABLE = 'vod-snapshots-query-cli'
const OTHER_TASK = 'CreateSnapshotByTimeOffset-other'
const RECEIVED_AT = '2026-11-24T03:00:00.000Z'
const url = (offset: number) => `http://125xx.vod2.myqcloud.com/vod125xx/${FILE_ID}/${offset}.png`
const result = (vodTaskId: string, timeOffset: number, status = 0): SnapshotResult => ({
  vodTaskId,
  fileId: FILE_ID,
  definition: 10,
  timeOffset,
  status,
  ...(status === 0 ? { url: url(timeOffset) } : {}),
})

// 30 successes a second apart and two failures for the task; one of each for another task.
const TASK_RESULTS = [
  ...Array.from({ length: 30 }, (_, i) => result(TASK_ID, i * 1000)),
  result(TASK_ID, 1_000_000, -46204),
  result(TASK_ID, 3_723_004, -44098),
]
const OTHER_RESULTS = [result(OTHER_TASK, 0), result(OTHER_TASK, 500, 70000)]

let db: local.LocalDynamoDB
let doc: DynamoDBDocumentClient
let dir: string

beforeAll(async () => {
  db = await local.startDynalite()
  await local.createSnapshotsTable(db.endpoint, TABLE)
  const raw = local.localClient(db.endpoint)
  doc = DynamoDBDocumentClient.from(raw)
  await storeSnapshotResults(raw, TABLE, [...TASK_RESULTS, ...OTHER_RESULTS], RECEIVED_AT)
  dir = await mkdtemp(join(tmpdir(), 'vod-snapshots-query-'))
})

afterAll(async () => {
  doc?.destroy()
  await db?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('queryByTask and queryByFile on dynalite', () => {
  it("reads every item of a task, page after page, in the function's format", async () => {
    const send = vi.spyOn(doc, 'send')
    const items = await queryByTask(doc, TABLE, TASK_ID, { pageSize: 7 })
    expect(send.mock.calls.length).toBeGreaterThanOrEqual(5)
    send.mockRestore()

    expect(items.map((item) => item.timeOffset)).toStrictEqual(
      TASK_RESULTS.map((r) => r.timeOffset),
    )
    expect(items[0]).toStrictEqual({
      ...TASK_RESULTS[0],
      eventType: 'CreateSnapshotByTimeOffsetComplete',
      receivedAt: RECEIVED_AT,
    })
    expect(items.at(-1)).not.toHaveProperty('url')
  })

  it('reads a video through the index, whatever task took the screenshots', async () => {
    const items = await queryByFile(doc, TABLE, FILE_ID, { pageSize: 4 })
    expect(items).toHaveLength(34)
    expect(items.slice(0, 3).map((item) => [item.timeOffset, item.vodTaskId])).toStrictEqual([
      [0, TASK_ID],
      [0, OTHER_TASK],
      [500, OTHER_TASK],
    ])
  })

  it('reads only the failures across pages that the filter leaves empty', async () => {
    const failed = await queryByTask(doc, TABLE, TASK_ID, { failedOnly: true, pageSize: 5 })
    expect(failed.map((item) => [item.timeOffset, item.status])).toStrictEqual([
      [1_000_000, -46204],
      [3_723_004, -44098],
    ])
  })
})

describe('npm run query', () => {
  const query = (...args: string[]) =>
    runScript('query', args, { DYNAMODB_ENDPOINT: db.endpoint, TABLE_NAME: TABLE })

  it('prints the screenshots of a task as a table, with their meaning and the counts', async () => {
    const { code, stdout, stderr } = await query('--task', TASK_ID)
    expect({ code, stderr }).toStrictEqual({ code: 0, stderr: '' })
    const lines = stdout.trimEnd().split('\n')
    expect(lines.slice(0, 4)).toStrictEqual([
      `Screenshots of task ${TASK_ID}`,
      '',
      '     offset  status                                 url',
      `0:00:00.000  OK                                     ${url(0)}`,
    ])
    expect(lines.slice(-4)).toStrictEqual([
      '0:16:40.000  error -46204                           -',
      '1:02:03.004  error -44098: screenshot: end of file  -',
      '',
      '32 screenshots: 30 OK, 2 failed',
    ])
  })

  it('prints the failures of a video as JSON for scripts', async () => {
    const { code, stdout } = await query('--file', FILE_ID, '--failed', '--json')
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toStrictEqual(
      await queryByFile(doc, TABLE, FILE_ID, { failedOnly: true }),
    )
    expect(JSON.parse(stdout).map((item: { status: number }) => item.status)).toStrictEqual([
      70000, -46204, -44098,
    ])
  })

  it('writes the contact sheet of a task with --html', async () => {
    const file = join(dir, 'sheet.html')
    const { code, stdout } = await query('--task', TASK_ID, '--html', file)
    expect(code).toBe(0)
    expect(stdout).toBe(
      `Wrote the contact sheet of task ${TASK_ID} to ${file}: 32 screenshots: 30 OK, 2 failed\n`,
    )
    const html = await readFile(file, 'utf8')
    expect(html.match(/<img /g)).toHaveLength(30)
    expect(html).toContain('total: 32 &middot; ok: 30 &middot; failed: 2')
    expect(html).toContain(
      '<div class="frame"><span>failed: error -46204</span></div><figcaption>0:16:40.000</figcaption>',
    )
  })

  it('prints received task IDs and URLs with control and bidi characters escaped', async () => {
    // Clear the screen, set the window title, the 8-bit CSI, a right-to-left override. (DynamoDB
    // stores UTF-8, which holds no lone surrogate: tests/unit/query-cli.test.ts has that one.)
    const attack = '\u001b[2J\u001b]0;owned\u0007\u009b\u202e'
    const shown = '\\u001b[2J\\u001b]0;owned\\u0007\\u009b\\u202e'
    const fileId = 'video-with-escapes'
    const raw = local.localClient(db.endpoint)
    await storeSnapshotResults(
      raw,
      TABLE,
      [{ ...result(`截图${attack}`, 0), fileId, url: `http://x/截图${attack}.png` }],
      RECEIVED_AT,
    )
    raw.destroy()

    const text = await query('--file', fileId)
    const task = `截图${shown}`
    expect(text).toStrictEqual({
      code: 0,
      stdout: [
        `Screenshots of video ${fileId}`,
        '',
        `     offset  task${' '.repeat(task.length - 4)}  status  url`,
        `0:00:00.000  ${task}  OK      http://x/截图${shown}.png`,
        '',
        '1 screenshot: 1 OK, 0 failed',
        '',
      ].join('\n'),
      stderr: '',
    })

    const json = await query('--file', fileId, '--json')
    expect(json.code).toBe(0)
    for (const char of ['\u001b', '\u0007', '\u009b', '\u202e']) {
      expect(text.stdout).not.toContain(char)
      expect(json.stdout).not.toContain(char)
    }
    expect(json.stdout).toContain(`"vodTaskId": "截图${shown}"`)
    expect(JSON.parse(json.stdout)).toStrictEqual(await queryByFile(doc, TABLE, fileId))
    expect(JSON.parse(json.stdout)[0].vodTaskId).toBe(`截图${attack}`)
  })

  it('says so when nothing is stored for the ID', async () => {
    const { code, stdout } = await query('--task', 'no-such-task')
    expect(code).toBe(0)
    expect(stdout).toBe(
      `No screenshots stored for task no-such-task in table "${TABLE}" at ${db.endpoint}.\n`,
    )
  })

  it('names the table and the endpoint when the table does not exist, without a stack', async () => {
    const { code, stdout, stderr } = await runScript('query', ['--task', TASK_ID], {
      DYNAMODB_ENDPOINT: db.endpoint,
      TABLE_NAME: 'no-such-table',
    })
    expect({ code, stdout }).toStrictEqual({ code: 1, stdout: '' })
    expect(stderr).toBe(
      `Table "no-such-table" not found at ${db.endpoint}. Set TABLE_NAME or --table to its name.\n`,
    )
  })

  it('prints the usage and exits with 2 on a wrong command line', async () => {
    const { code, stdout, stderr } = await query('--task', TASK_ID, '--file', FILE_ID)
    expect({ code, stdout }).toStrictEqual({ code: 2, stdout: '' })
    expect(stderr).toMatch(/^give exactly one of --task <vodTaskId> and --file <fileId>\n\nUsage: /)
  })
})
