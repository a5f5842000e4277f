import { createHash, createHmac } from 'node:crypto'
import type {
  DescribeTasksRequest,
  ProcedureTask,
  SnapshotByTimeOffsetTask2017,
} from 'tencentcloud-sdk-nodejs-vod/tencentcloud/services/vod/v20180717/vod_models'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../../lib/local/free-port'
import {
  startVodStandIn,
  type VodStandIn,
  type VodStandInOptions,
} from '../../lib/local/vod-stand-in'
import type { VodStandInTask } from '../../lib/local/vod-stand-in-tasks'
import { createVodClient } from '../../lib/pull/vod-client'
import { createVodTaskApi, type VodTaskApi } from '../../lib/reconcile/vod-tasks'
import { VOD_STAND_IN_CREDENTIALS } from '../../lib/runtime/local-defaults'
import { fixture } from '../support/fixtures'

// The stand-in's clock; VOD keeps tasks for 72 hours before it.
const NOW = Date.parse('2026-12-04T12:00:00Z')
const HOUR = 3600_000
const MINUTE = 60_000

let clock = NOW
let standIn: VodStandIn | undefined
afterEach(async () => {
  await standIn?.close()
  standIn = undefined
  clock = NOW
})

async function start(options: VodStandInOptions = {}) {
  const started = await startVodStandIn({ now: () => clock, ...options })
  standIn = started
  const api = createVodTaskApi({
    credentials: VOD_STAND_IN_CREDENTIALS,
    region: 'ap-guangzhou',
    endpoint: started.endpoint,
    timeoutSeconds: 5,
  })
  return { standIn: started, api }
}

/** VOD's ISO 8601 UTC format, whole seconds: 2026-12-04T10:00:00Z. */
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

const task = (TaskId: string, createdAgoMs: number, more: Partial<VodStandInTask> = {}) =>
  ({
    TaskId,
    TaskType: 'Procedure',
    Status: 'FINISH',
    FileId: '5285890784246869930',
    CreateTime: iso(NOW - createdAgoMs),
    BeginProcessTime: iso(NOW - createdAgoMs + 1000),
    FinishTime: iso(NOW - createdAgoMs + 60_000),
    ...more,
  }) as VodStandInTask

const ids = (response: { TaskSet?: { TaskId?: string }[] }) =>
  (response.TaskSet ?? []).map((entry) => entry.TaskId)

/** Every page of a listing, following ScrollToken until VOD answers it empty. */
async function pages(api: VodTaskApi, request: DescribeTasksRequest = {}) {
  const found: (string | undefined)[][] = []
  let ScrollToken = ''
  do {
    const page = await api.DescribeTasks({ ...request, ...(ScrollToken ? { ScrollToken } : {}) })
    found.push(ids(page))
    ScrollToken = page.ScrollToken ?? ''
  } while (ScrollToken !== '' && found.length < 50)
  return found
}

const codeOf = (settled: PromiseSettledResult<unknown>) =>
  settled.status === 'rejected' ? (settled.reason as { code?: string }).code : 'ok'

describe('DescribeTasks', () => {
  it('lists the newest first, page by page, until ScrollToken comes back empty', async () => {
    const { standIn, api } = await start()
    for (let i = 0; i < 25; i++)
      standIn.addTask(task(`t-${String(i).padStart(2, '0')}`, i * MINUTE))

    const found = await pages(api, { Limit: 10 })

    const newestFirst = Array.from({ length: 25 }, (_, i) => `t-${String(i).padStart(2, '0')}`)
    expect(found).toStrictEqual([
      newestFirst.slice(0, 10),
      newestFirst.slice(10, 20),
      newestFirst.slice(20),
    ])
  })

  it('answers each entry as a TaskSimpleInfo, a missing time null', async () => {
    const { standIn, api } = await start()
    standIn.addTask(task('done', HOUR, { SessionId: 'session-1', SessionContext: 'ctx' }))
    standIn.addTask({
      TaskId: 'running',
      TaskType: 'SnapshotByTimeOffset',
      Status: 'PROCESSING',
      CreateTime: iso(NOW - MINUTE),
    })

    const response = await api.DescribeTasks({})

    expect(response).toStrictEqual({
      TaskSet: [
        {
          ...{ TaskId: 'running', TaskType: 'SnapshotByTimeOffset', Status: 'PROCESSING' },
          ...{ FileId: '', CreateTime: '2026-12-04T11:59:00Z', BeginProcessTime: null },
          ...{ FinishTime: null, SessionId: '', SessionContext: '' },
        },
        {
          ...{ TaskId: 'done', TaskType: 'Procedure', Status: 'FINISH' },
          ...{ FileId: '5285890784246869930', CreateTime: '2026-12-04T11:00:00Z' },
          ...{ BeginProcessTime: '2026-12-04T11:00:01Z', FinishTime: '2026-12-04T11:01:00Z' },
          ...{ SessionId: 'session-1', SessionContext: 'ctx' },
        },
      ],
      ScrollToken: '',
      RequestId: expect.any(String),
    })
  })

  it('neither repeats nor skips a task when one is created between two pages', async () => {
    const { standIn, api } = await start()
    for (let i = 0; i < 4; i++) standIn.addTask(task(`t-${i}`, (i + 1) * MINUTE))

    const first = await api.DescribeTasks({ Limit: 2 })
    standIn.addTask(task('newer', 0))
    const second = await api.DescribeTasks({ Limit: 2, ScrollToken: first.ScrollToken ?? '' })

    expect([ids(first), ids(second), second.ScrollToken]).toStrictEqual([
      ['t-0', 't-1'],
      ['t-2', 't-3'],
      '',
    ])
  })

  it('answers 10 tasks without a Limit, and at most 100', async () => {
    const { standIn, api } = await start()
    for (let i = 0; i < 120; i++) standIn.addTask(task(`t-${i}`, i * 1000))

    const byDefault = await api.DescribeTasks({})
    const most = await api.DescribeTasks({ Limit: 100 })

    expect(byDefault.TaskSet).toHaveLength(10)
    expect(byDefault.ScrollToken).not.toBe('')
    expect(most.TaskSet).toHaveLength(100)
    expect(ids(most)).toStrictEqual(Array.from({ length: 100 }, (_, i) => `t-${i}`))
    await expect(api.DescribeTasks({ Limit: 101 })).rejects.toMatchObject({
      code: 'InvalidParameterValue.Limit',
    })
    await expect(api.DescribeTasks({ Limit: 0 })).rejects.toMatchObject({
      code: 'InvalidParameterValue.Limit',
    })
  })

  it('lists only the tasks created in the last 72 hours, whatever CreateTime.After asks', async () => {
    const { standIn, api } = await start()
    standIn.addTask(task('recent', 71 * HOUR))
    standIn.addTask(task('edge', 72 * HOUR))
    standIn.addTask(task('expired', 72 * HOUR + 1000))
    standIn.addTask(task('old', 80 * HOUR))

    const listed = await api.DescribeTasks({})
    const asked = await api.DescribeTasks({ CreateTime: { After: iso(NOW - 100 * HOUR) } })
    clock += HOUR
    const later = await api.DescribeTasks({})

    expect(ids(listed)).toStrictEqual(['recent', 'edge'])
    expect(ids(asked)).toStrictEqual(['recent', 'edge'])
    expect(ids(later)).toStrictEqual(['recent'])
  })

  it('filters by Status, FileId, CreateTime and FinishTime (After inclusive, Before exclusive)', async () => {
    const { standIn, api } = await start()
    standIn.addTask(task('a', 60 * MINUTE))
    standIn.addTask(task('b', 50 * MINUTE, { FileId: 'other-file' }))
    standIn.addTask(task('c', 40 * MINUTE))
    standIn.addTask(task('waiting', 5 * MINUTE, { Status: 'WAITING', FinishTime: undefined }))

    const finished = await api.DescribeTasks({ Status: 'FINISH' })
    const waiting = await api.DescribeTasks({ Status: 'WAITING' })
    const ofFile = await api.DescribeTasks({ FileId: 'other-file' })
    // a finished at 11:01, b at 11:11, c at 11:21; the waiting task never.
    const window = await api.DescribeTasks({
      FinishTime: { After: '2026-12-04T11:11:00Z', Before: '2026-12-04T11:21:00Z' },
    })
    // a created at 11:00, b at 11:10, c at 11:20.
    const created = await api.DescribeTasks({
      CreateTime: { After: '2026-12-04T11:10:00Z', Before: '2026-12-04T11:20:00Z' },
    })
    const before = await api.DescribeTasks({ CreateTime: { Before: '2026-12-04T11:10:00Z' } })

    expect(ids(finished)).toStrictEqual(['c', 'b', 'a'])
    expect(ids(waiting)).toStrictEqual(['waiting'])
    expect(ids(ofFile)).toStrictEqual(['b'])
    expect(ids(window)).toStrictEqual(['b'])
    expect(ids(created)).toStrictEqual(['b'])
    expect(ids(before)).toStrictEqual(['a'])
    await expect(api.DescribeTasks({ Status: 'DONE' })).rejects.toMatchObject({
      code: 'InvalidParameterValue.Status',
    })
  })

  it('sorts by CreateTime or FinishTime, ascending or descending, unfinished tasks last', async () => {
    const { standIn, api } = await start()
    standIn.addTask(task('long', 60 * MINUTE, { FinishTime: iso(NOW - 5 * MINUTE) }))
    standIn.addTask(task('short', 30 * MINUTE, { FinishTime: iso(NOW - 29 * MINUTE) }))
    standIn.addTask(task('running', 10 * MINUTE, { Status: 'PROCESSING', FinishTime: undefined }))

    const sorted = async (Field: string, Order: string) =>
      ids(await api.DescribeTasks({ Sort: { Field, Order } }))

    expect(await sorted('CreateTime', 'Asc')).toStrictEqual(['long', 'short', 'running'])
    expect(await sorted('CreateTime', 'Desc')).toStrictEqual(['running', 'short', 'long'])
    expect(await sorted('FinishTime', 'Asc')).toStrictEqual(['short', 'long', 'running'])
    expect(await sorted('FinishTime', 'Desc')).toStrictEqual(['long', 'short', 'running'])
    expect(
      await pages(api, { Limit: 1, Sort: { Field: 'FinishTime', Order: 'Asc' } }),
    ).toStrictEqual([['short'], ['long'], ['running']])
    await expect(sorted('Size', 'Asc')).rejects.toMatchObject({ code: 'InvalidParameterValue' })
  })

  it('refuses another SubAppId than the account’s, and a ScrollToken it did not issue', async () => {
    const { standIn, api } = await start({ subAppId: 1500000001 })
    standIn.addTask(task('mine', MINUTE))

    expect(ids(await api.DescribeTasks({ SubAppId: 1500000001 }))).toStrictEqual(['mine'])
    await expect(api.DescribeTasks({ SubAppId: 1500000002 })).rejects.toMatchObject({
      code: 'InvalidParameterValue.SubAppId',
    })
    await expect(
      api.DescribeTaskDetail({ TaskId: 'mine', SubAppId: 1500000002 }),
    ).rejects.toMatchObject({ code: 'InvalidParameterValue.SubAppId' })
    await expect(api.DescribeTasks({ ScrollToken: 'taskId6' })).rejects.toMatchObject({
      code: 'InvalidParameterValue',
    })
  })
})

describe('DescribeTaskDetail', () => {
  it('answers a task flow with its ProcedureTask, the callback’s ProcedureStateChangeEvent', async () => {
    const { standIn, api } = await start()
    const procedure = fixture<{ ProcedureStateChangeEvent: ProcedureTask }>(
      'v3-procedure-snapshot',
    ).ProcedureStateChangeEvent
    const TaskId = procedure.TaskId ?? ''
    standIn.addTask({ ...task(TaskId, HOUR), TaskType: 'Procedure', ProcedureTask: procedure })

    const detail = await api.DescribeTaskDetail({ TaskId })

    expect(detail).toStrictEqual({
      TaskType: 'Procedure',
      Status: 'FINISH',
      CreateTime: '2026-12-04T11:00:00Z',
      BeginProcessTime: '2026-12-04T11:00:01Z',
      FinishTime: '2026-12-04T11:01:00Z',
      ProcedureTask: fixture('v3-procedure-snapshot').ProcedureStateChangeEvent,
      SnapshotByTimeOffsetTask: null,
      RequestId: expect.any(String),
    })
  })

  it('answers a 2017 screenshot task with its SnapshotByTimeOffsetTask', async () => {
    const { standIn, api } = await start()
    const screenshots = fixture<{
      SnapshotByTimeOffsetCompleteEvent: SnapshotByTimeOffsetTask2017
    }>('v3-snapshot-success').SnapshotByTimeOffsetCompleteEvent
    standIn.addTask({
      ...task(screenshots.TaskId ?? '', 2 * HOUR),
      TaskType: 'SnapshotByTimeOffset',
      SnapshotByTimeOffsetTask: screenshots,
    })

    const detail = await api.DescribeTaskDetail({ TaskId: screenshots.TaskId ?? '' })

    expect(detail).toStrictEqual({
      TaskType: 'SnapshotByTimeOffset',
      Status: 'FINISH',
      CreateTime: '2026-12-04T10:00:00Z',
      BeginProcessTime: '2026-12-04T10:00:01Z',
      FinishTime: '2026-12-04T10:01:00Z',
      ProcedureTask: null,
      SnapshotByTimeOffsetTask: {
        TaskId: 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd',
        FileId: '14508071098244929440',
        Definition: 10,
        SnapshotInfoSet: [
          {
            ErrCode: 0,
            TimeOffset: 10000,
            Url: 'http://125676836723.vod2.myqcloud.com/xxx/xxx/1.png',
          },
          {
            ErrCode: 0,
            TimeOffset: 20000,
            Url: 'http://125676836723.vod2.myqcloud.com/xxx/xxx/2.png',
          },
        ],
      },
      RequestId: expect.any(String),
    })
  })

  it('answers ResourceNotFound for an unknown task and one created more than 3 days ago', async () => {
    const { standIn, api } = await start()
    standIn.addTask(task('old', 72 * HOUR + 1000))
    standIn.addTask(task('ageing', 71 * HOUR))

    await expect(api.DescribeTaskDetail({ TaskId: 'unknown' })).rejects.toMatchObject({
      code: 'ResourceNotFound',
    })
    await expect(api.DescribeTaskDetail({ TaskId: 'old' })).rejects.toMatchObject({
      code: 'ResourceNotFound',
    })
    expect(await api.DescribeTaskDetail({ TaskId: 'ageing' })).toMatchObject({ Status: 'FINISH' })
    clock += 2 * HOUR
    await expect(api.DescribeTaskDetail({ TaskId: 'ageing' })).rejects.toMatchObject({
      code: 'ResourceNotFound',
    })
    await expect(api.DescribeTaskDetail({ TaskId: '' })).rejects.toMatchObject({
      code: 'InvalidParameterValue.TaskId',
    })
  })
})

describe('like VOD in production', () => {
  it('answers RequestLimitExceeded beyond the rate of one action in one second', async () => {
    const { standIn, api } = await start({ rateLimitPerSecond: 5 })
    standIn.addTask(task('t', MINUTE))

    const burst = await Promise.allSettled(Array.from({ length: 8 }, () => api.DescribeTasks({})))
    const otherAction = await api.DescribeTaskDetail({ TaskId: 't' })
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const afterASecond = await api.DescribeTasks({})

    expect(burst.map(codeOf).sort()).toStrictEqual([
      ...Array(3).fill('RequestLimitExceeded'),
      ...Array(5).fill('ok'),
    ])
    expect(otherAction.Status).toBe('FINISH')
    expect(ids(afterASecond)).toStrictEqual(['t'])
    expect(standIn.calls.filter((call) => call.error === 'RequestLimitExceeded')).toHaveLength(3)
  })

  it('adds latencyMs to every task-API answer', async () => {
    const { api } = await start({ latencyMs: 300 })

    const startedAt = performance.now()
    await api.DescribeTasks({})
    const listed = performance.now() - startedAt
    await expect(api.DescribeTaskDetail({ TaskId: 'none' })).rejects.toMatchObject({
      code: 'ResourceNotFound',
    })
    const both = performance.now() - startedAt

    expect(listed).toBeGreaterThanOrEqual(300)
    expect(both).toBeGreaterThanOrEqual(600)
  })

  it('refuses a request signed with another key', async () => {
    const { standIn } = await start()
    const wrong = createVodTaskApi({
      credentials: { ...VOD_STAND_IN_CREDENTIALS, secretKey: 'not-the-key' },
      region: 'ap-guangzhou',
      endpoint: standIn.endpoint,
    })

    await expect(wrong.DescribeTasks({})).rejects.toMatchObject({
      code: 'AuthFailure.SignatureFailure',
    })
    expect(standIn.calls).toStrictEqual([
      { action: 'DescribeTasks', body: {}, error: 'AuthFailure.SignatureFailure' },
    ])
  })

  it('injects an InternalError into the task API as into the queue', async () => {
    const { standIn, api } = await start()
    standIn.failNext(1, 'DescribeTaskDetail')
    standIn.addTask(task('t', MINUTE))

    await expect(api.DescribeTaskDetail({ TaskId: 't' })).rejects.toMatchObject({
      code: 'InternalError',
    })
    expect(await api.DescribeTaskDetail({ TaskId: 't' })).toMatchObject({ TaskType: 'Procedure' })
    expect(standIn.calls.map((call) => [call.action, call.error])).toStrictEqual([
      ['DescribeTaskDetail', 'InternalError'],
      ['DescribeTaskDetail', undefined],
    ])
  })

  it('listens on the port it is given', async () => {
    const port = await freePort()

    const { standIn } = await start({ port })

    expect(standIn.endpoint).toBe(`http://127.0.0.1:${port}`)
  })
})

describe('the admin routes, for another process to fill the stand-in', () => {
  const post = async (path: string, body: string, contentType = 'application/json') => {
    const response = await fetch(`${standIn?.endpoint}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body,
    })
    return { status: response.status, body: await response.json() }
  }
  const pull = () =>
    createVodClient({
      credentials: VOD_STAND_IN_CREDENTIALS,
      region: 'ap-guangzhou',
      endpoint: standIn?.endpoint,
    }).PullEvents({})

  // A TC3 signature over any body, as the SDK makes one over its JSON.
  function signedHeaders(action: string, body: string): Record<string, string> {
    const { secretId, secretKey } = VOD_STAND_IN_CREDENTIALS
    const timestamp = Math.floor(Date.now() / 1000)
    const date = new Date(timestamp * 1000).toISOString().slice(0, 10)
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
    const hmac = (key: string | Buffer, text: string) =>
      createHmac('sha256', key).update(text).digest()
    const canonical = [
      ...['POST', '/', '', 'content-type:application/json\nhost:127.0.0.1\n'],
      ...['content-type;host', sha256(body)],
    ].join('\n')
    const scope = `${date}/vod/tc3_request`
    const toSign = ['TC3-HMAC-SHA256', String(timestamp), scope, sha256(canonical)].join('\n')
    const key = hmac(hmac(hmac(`TC3${secretKey}`, date), 'vod'), 'tc3_request')
    const signature = createHmac('sha256', key).update(toSign).digest('hex')
    return {
      'Content-Type': 'application/json',
      Authorization: `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`,
      'X-TC-Action': action,
      'X-TC-Timestamp': String(timestamp),
      'X-TC-Version': '2018-07-17',
    }
  }

  it('POST /stand-in/events queues one event, or an array, for PullEvents to deliver whole', async () => {
    const { standIn } = await start()
    const one = fixture('v3-procedure-snapshot')
    const two = [fixture('v3-snapshot-success'), fixture('v3-new-file-upload')]

    expect(await post('/stand-in/events', JSON.stringify(one))).toStrictEqual({
      status: 200,
      body: { queued: 1, waiting: 1 },
    })
    expect(await post('/stand-in/events', JSON.stringify(two))).toStrictEqual({
      status: 200,
      body: { queued: 2, waiting: 3 },
    })
    const pulled = await pull()

    expect(standIn.waiting()).toBe(3)
    expect(
      (pulled.EventSet ?? []).map(({ EventHandle, ...content }) => [typeof EventHandle, content]),
    ).toStrictEqual([one, ...two].map((content) => ['string', content]))
  })

  it('POST /stand-in/tasks adds one task, or an array, that DescribeTaskDetail answers', async () => {
    const { api } = await start()
    const procedure = fixture<{ ProcedureStateChangeEvent: ProcedureTask }>(
      'v3-procedure-snapshot',
    ).ProcedureStateChangeEvent
    const flow = {
      ...task('flow-1', HOUR),
      TaskType: 'Procedure',
      ProcedureTask: procedure,
    }

    expect(await post('/stand-in/tasks', JSON.stringify(flow))).toStrictEqual({
      status: 200,
      body: { added: 1 },
    })
    expect(
      await post('/stand-in/tasks', JSON.stringify([task('t-2', MINUTE), task('t-3', 0)])),
    ).toStrictEqual({ status: 200, body: { added: 2 } })

    expect(ids(await api.DescribeTasks({}))).toStrictEqual(['t-3', 't-2', 'flow-1'])
    expect(await api.DescribeTaskDetail({ TaskId: 'flow-1' })).toMatchObject({
      TaskType: 'Procedure',
      ProcedureTask: procedure,
    })
  })

  it.each([
    ['/stand-in/events', 'not json', { code: 400, message: 'the body is not JSON' }],
    ['/stand-in/events', '[]', { code: 400, message: 'the array holds nothing' }],
    [
      '/stand-in/events',
      JSON.stringify(fixture('legacy-snapshot-success')),
      {
        code: 400,
        message: 'the body is not what this route takes',
        problems: ['EventType: is required'],
      },
    ],
    [
      '/stand-in/events',
      JSON.stringify([fixture('v3-snapshot-success'), 'event']),
      {
        code: 400,
        message: 'the body is not what this route takes',
        problems: ['1: expected Object'],
      },
    ],
    [
      '/stand-in/tasks',
      JSON.stringify({ TaskId: '', TaskType: 'Upload', Status: 'FINISH', CreateTime: 'today' }),
      {
        code: 400,
        message: 'the body is not what this route takes',
        problems: [
          'TaskId: must not be empty',
          'TaskType: expected ("Procedure" | "SnapshotByTimeOffset" | "EditMedia" | "ReviewAudioVideo" | "Transcode" | "Concat" | "Clip" | "ImageSprites")',
          'CreateTime: must be a time such as 2026-12-04T10:00:00Z',
        ],
      },
    ],
  ])('refuses a bad body for %s with 400, whole, and keeps serving', async (path, body, answer) => {
    const { standIn, api } = await start()

    expect(await post(path, body)).toStrictEqual({
      status: 400,
      body: answer,
    })

    expect(standIn.waiting()).toBe(0)
    expect(ids(await api.DescribeTasks({}))).toStrictEqual([])
  })

  it('answers 404, 405 and 415 outside what the routes take', async () => {
    await start()
    const get = await fetch(`${standIn?.endpoint}/stand-in/events`)

    expect(await post('/stand-in/other', '{}')).toStrictEqual({
      status: 404,
      body: {
        code: 404,
        message: 'no route /stand-in/other: POST /stand-in/events or /stand-in/tasks',
      },
    })
    expect({ status: get.status, body: await get.json() }).toStrictEqual({
      status: 405,
      body: { code: 405, message: '/stand-in/events takes POST only' },
    })
    expect(await post('/stand-in/events', '{"EventType":"x"}', 'text/plain')).toStrictEqual({
      status: 415,
      body: { code: 415, message: 'send the body as Content-Type: application/json' },
    })
  })

  it('answers a signed VOD request whose body is not JSON with InvalidParameter, and keeps serving', async () => {
    const { standIn, api } = await start()
    const text = 'not json'
    const response = await fetch(standIn.endpoint, {
      method: 'POST',
      headers: signedHeaders('DescribeTasks', text),
      body: text,
    })

    expect(await response.json()).toStrictEqual({
      Response: {
        Error: { Code: 'InvalidParameter', Message: 'the body is not a JSON object' },
        RequestId: expect.any(String),
      },
    })
    expect(standIn.calls).toStrictEqual([
      { action: 'DescribeTasks', body: {}, error: 'InvalidParameter' },
    ])
    expect(await api.DescribeTasks({})).toMatchObject({ TaskSet: [] })
  })

  it('records an unsigned request whose body is not JSON as refused, without failing', async () => {
    const { standIn, api } = await start()

    const response = await fetch(standIn.endpoint, {
      method: 'POST',
      headers: { 'X-TC-Action': 'PullEvents' },
      body: '{',
    })

    expect(response.status).toBe(200)
    expect(standIn.calls).toStrictEqual([
      { action: 'PullEvents', body: {}, error: 'AuthFailure.SignatureFailure' },
    ])
    expect(await api.DescribeTasks({})).toMatchObject({ TaskSet: [] })
  })
})
