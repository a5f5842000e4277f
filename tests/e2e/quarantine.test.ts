import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { QuarantineSummary } from '../../lib/durability/quarantine'
import { legacyCallbackWith } from '../support/fixtures'
import { itemsOf, type LocalStack, startLocalStack } from '../support/local-stack'
import { runScript } from '../support/run-script'
import { rawSnapshotItem } from '../support/table-reads'

// The quarantine of the stack `npm start` starts, over HTTP, read with `npm run quarantine` as
// an operator would, from a shell that knows only the variables npm start was given.
const TOKEN = 'e2e-quarantine-token-0123456789'
const TABLE = 'vod-snapshots-e2e-quarantine'
const BUCKET = 'vod-snapshots-e2e-quarantine'
const MB = 1024 * 1024

let stack: LocalStack

type Summary = QuarantineSummary

const post = (body: string, token?: string) =>
  fetch(stack.callbackUrl(token), { method: 'POST', body }).then(async (response) => ({
    status: response.status,
    body: await response.json(),
  }))

async function quarantine(...args: string[]) {
  const env = { ...stack.env, QUARANTINE_BUCKET: BUCKET }
  return runScript('quarantine', [...args, '--local'], env)
}

async function list(): Promise<Summary[]> {
  const run = await quarantine('--list', '--json')
  expect({ code: run.code, stderr: run.stderr }).toStrictEqual({ code: 0, stderr: '' })
  return JSON.parse(run.stdout)
}

beforeAll(async () => {
  stack = await startLocalStack(TOKEN, TABLE, { env: { QUARANTINE_BUCKET: BUCKET } })
}, 90_000)

afterAll(() => stack?.stop())

// In order: the later cases compare the quarantine before and after what they send.
describe('the quarantine of the local stack', () => {
  it('keeps a callback over 1 MB whole, and its replay stores every result', async () => {
    // A callback padded past 1 MB with a field the parser ignores is answered 413 and kept
    // whole. The 1 MB is the live answer's limit, not the callback's fault: a replay, which
    // has no 5-second wait, stores every result, and the quarantine is left empty.
    const vodTaskId = 'CreateSnapshotByTimeOffset-e2e-quarantine-replay'
    const callback = { ...legacyCallbackWith(25, vodTaskId), padding: 'x'.repeat(1.1 * MB) }
    const body = JSON.stringify(callback)
    const bytes = Buffer.byteLength(body)

    expect(await post(body)).toStrictEqual({
      status: 413,
      body: {
        code: 413,
        message: 'Payload Too Large',
        problems: [`body: ${bytes} bytes, at most ${MB} allowed`],
      },
    })
    const [kept, ...others] = await list()
    expect(others).toStrictEqual([])
    expect(kept).toStrictEqual({
      id: expect.stringMatching(/^\d{8}T\d{9}Z-[\w-]+$/),
      receivedAt: expect.any(String),
      statusCode: 413,
      taskId: vodTaskId,
      fileId: '14508071098244929440',
      firstProblem: `body: ${bytes} bytes, at most ${MB} allowed`,
      bytes,
    })
    expect(await itemsOf(stack.dynamodbEndpoint, TABLE, vodTaskId)).toStrictEqual([])

    const replay = await quarantine('--replay', '--all')

    expect(replay).toStrictEqual({
      code: 0,
      stdout: `${kept?.id}: stored 25 result(s); removed from the quarantine\ndone: 1 replayed, 0 left\n`,
      stderr: '',
    })
    const { fileId, definition, picInfo } = callback.data
    // Stored with the time the callback arrived, not the time of the replay.
    expect(await itemsOf(stack.dynamodbEndpoint, TABLE, vodTaskId)).toStrictEqual(
      picInfo.map((result) =>
        rawSnapshotItem({ vodTaskId, fileId, definition, ...result }, kept?.receivedAt ?? ''),
      ),
    )
    expect(await list()).toStrictEqual([])
  }, 90_000)

  it('keeps an authenticated 1 MB callback with one invalid result whole, lists it by its task and shows it', async () => {
    const vodTaskId = 'CreateSnapshotByTimeOffset-e2e-quarantine-invalid'
    const callback: { data: { picInfo: { timeOffset: unknown }[] } } = legacyCallbackWith(
      9_300,
      vodTaskId,
    )
    callback.data.picInfo[4_650] = { ...callback.data.picInfo[4_650], timeOffset: '4650000' }
    const body = JSON.stringify(callback)
    const bytes = Buffer.byteLength(body)
    expect(bytes).toBeGreaterThan(0.95 * MB)
    expect(bytes).toBeLessThanOrEqual(MB)
    const problem = 'data.picInfo.4650.timeOffset: the time offset must be a number of milliseconds'
    const before = await list()

    expect(await post(body)).toStrictEqual({
      status: 422,
      body: { code: 422, message: 'Invalid callback', problems: [problem] },
    })
    const after = await list()
    const added = after.filter((entry) => !before.some((b) => b.id === entry.id))
    expect(after).toHaveLength(before.length + 1)
    expect(added).toStrictEqual([
      {
        id: expect.stringMatching(/^\d{8}T\d{9}Z-[\w-]+$/),
        receivedAt: expect.any(String),
        statusCode: 422,
        eventType: 'CreateSnapshotByTimeOffsetComplete',
        taskId: vodTaskId,
        fileId: '14508071098244929440',
        firstProblem: problem,
        bytes,
      },
    ])
    const [{ id, receivedAt }] = added as [Summary]

    const show = await quarantine('--show', id, '--json')

    expect({ code: show.code, stderr: show.stderr }).toStrictEqual({ code: 0, stderr: '' })
    expect(JSON.parse(show.stdout)).toStrictEqual({
      kind: 'vod-snapshots/quarantined-callback',
      id,
      receivedAt,
      requestId: expect.any(String),
      statusCode: 422,
      problems: [problem],
      eventType: 'CreateSnapshotByTimeOffsetComplete',
      body,
      bodyEncoding: 'utf8',
    })
    expect(await itemsOf(stack.dynamodbEndpoint, TABLE, vodTaskId)).toStrictEqual([])
  }, 90_000)

  it('never keeps a body sent without the token', async () => {
    const body = JSON.stringify({ eventType: 'CreateSnapshotByTimeOffsetComplete', data: {} })
    const before = await list()

    expect(await post(body, 'not-the-token-0123456789')).toStrictEqual({
      status: 401,
      body: { code: 401, message: 'Unauthorized' },
    })
    expect(await list()).toStrictEqual(before)
  }, 90_000)

  it('answers an unknown ID with exit code 1, naming the bucket', async () => {
    expect(await quarantine('--show', '20260101T000000000Z-unknown')).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `20260101T000000000Z-unknown is not in the quarantine (bucket ${BUCKET})\n`,
    })
  }, 90_000)
})
