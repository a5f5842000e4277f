import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { freePort } from '../../lib/local/free-port'
import { startVodStandIn, type VodStandIn } from '../../lib/local/vod-stand-in'
import { createSignatureCheck } from '../../lib/receive/callback-signature'
import { createVodTaskApi } from '../../lib/reconcile/vod-tasks'
import { VOD_STAND_IN_CREDENTIALS } from '../../lib/runtime/local-defaults'
import { fixture, fixtureText } from '../support/fixtures'
import { runScript } from '../support/run-script'

const FIXTURE = 'tests/fixtures/legacy-snapshot-success.json'
const FIXTURE_BYTES = readFileSync(new URL(`../../${FIXTURE}`, import.meta.url))
const TOKEN = 'send-test-token-0123456789'

interface Received {
  method: string | undefined
  url: string | undefined
  headers: IncomingHttpHeaders
  body: Buffer
}

// A stand-in for the callback endpoint: keeps each request, answers what the test sets.
let received: Received[] = []
let answer = { status: 200, body: '{"code":0,"stored":2}' }
let server: Server
let port: number

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const { method, url, headers } = request
    received.push({ method, url, headers, body: Buffer.concat(chunks) })
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

beforeEach(() => {
  received = []
  answer = { status: 200, body: '{"code":0,"stored":2}' }
})

describe('npm run send', () => {
  it('POSTs the file as VOD does and prints the answer, never the token', async () => {
    const url = `http://127.0.0.1:${port}/vod/callback?token=${TOKEN}`

    const { code, stdout, stderr } = await runScript('send', [FIXTURE, '--url', url])

    expect(received).toHaveLength(1)
    const [request] = received
    expect(request?.method).toBe('POST')
    expect(request?.url).toBe(`/vod/callback?token=${TOKEN}`)
    expect(request?.headers).not.toHaveProperty('content-type')
    expect(request?.headers['content-length']).toBe(String(FIXTURE_BYTES.length))
    expect(request?.body.equals(FIXTURE_BYTES)).toBe(true)
    expect({ code, stderr }).toStrictEqual({ code: 0, stderr: '' })
    expect(stdout).toBe(
      [
        `POST http://127.0.0.1:${port}/vod/callback?token=*** (${FIXTURE_BYTES.length} bytes from ${FIXTURE})`,
        '200 OK',
        '{"code":0,"stored":2}',
        '',
      ].join('\n'),
    )
  })

  it("sends to the local stack's URL by default, built from PORT and CALLBACK_TOKEN", async () => {
    const { code } = await runScript('send', [FIXTURE], {
      PORT: String(port),
      CALLBACK_TOKEN: TOKEN,
    })

    expect(code).toBe(0)
    expect(received.map((request) => request.url)).toStrictEqual([`/vod/callback?token=${TOKEN}`])
  })

  it('exits with 1 on an answer other than 2xx, hiding a token the answer echoes', async () => {
    answer = { status: 401, body: `{"code":401,"message":"Unauthorized: ${TOKEN}"}` }

    const { code, stdout } = await runScript('send', [FIXTURE], {
      PORT: String(port),
      CALLBACK_TOKEN: TOKEN,
    })

    expect(code).toBe(1)
    expect(stdout).toContain(
      '401 Unauthorized\n{"code":401,"message":"Unauthorized: [REDACTED]"}\n',
    )
    expect(stdout).not.toContain(TOKEN)
  })

  it('shows control characters of the answer as \\u escapes, never to the terminal', async () => {
    // A title change, a screen clear and a right-to-left override, inside a two-line body.
    answer = { status: 422, body: '{"message":"\u001b]0;owned\u0007\u001b[2J"}\n\u202egnp.exe' }

    const { code, stdout } = await runScript('send', [
      FIXTURE,
      '--url',
      `http://127.0.0.1:${port}/`,
    ])

    expect(code).toBe(1)
    expect(stdout).toContain(
      '422 Unprocessable Entity\n{"message":"\\u001b]0;owned\\u0007\\u001b[2J"}\n\\u202egnp.exe\n',
    )
    expect(['\u001b', '\u0007', '\u202e'].filter((char) => stdout.includes(char))).toStrictEqual([])
  })

  it('exits with 1 and says why when nothing answers', async () => {
    const closed = await freePort()
    const url = `http://127.0.0.1:${closed}/vod/callback?token=${TOKEN}`

    const { code, stdout, stderr } = await runScript('send', [FIXTURE, '--url', url])

    expect(code).toBe(1)
    expect(stderr).toBe(
      `No answer from http://127.0.0.1:${closed}/vod/callback?token=***: connect ECONNREFUSED 127.0.0.1:${closed}\n`,
    )
    expect(stdout + stderr).not.toContain(TOKEN)
  })

  it('signs the callback with the first CALLBACK_SIGN_KEY and says so, never printing the key', async () => {
    const key = 'SendIntegrationKey0123456'
    const url = `http://127.0.0.1:${port}/vod/callback?token=${TOKEN}`
    const before = Math.floor(Date.now() / 1000)

    const run = await runScript('send', [FIXTURE, '--url', url], {
      CALLBACK_SIGN_KEY: `${key},OtherIntegrationKey0123`,
    })

    const [request] = received
    const sent = JSON.parse(request?.body.toString('utf8') ?? '')
    expect(sent).toStrictEqual({
      ...JSON.parse(FIXTURE_BYTES.toString('utf8')),
      Sign: expect.stringMatching(/^[0-9a-f]{32}$/),
      T: expect.any(Number),
    })
    expect(sent.T).toBeGreaterThanOrEqual(before + 600)
    expect(sent.T).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600)
    expect(createSignatureCheck([key])(sent, Date.now())).toBeUndefined()
    expect(request?.headers).not.toHaveProperty('content-type')
    expect({ code: run.code, stderr: run.stderr }).toStrictEqual({ code: 0, stderr: '' })
    expect(run.stdout).toBe(
      [
        `POST http://127.0.0.1:${port}/vod/callback?token=*** (${request?.body.length} bytes from ${FIXTURE}, ` +
          `signed with the first CALLBACK_SIGN_KEY: Sign and T added, valid until ${new Date(sent.T * 1000).toISOString()})`,
        '200 OK',
        '{"code":0,"stored":2}',
        '',
      ].join('\n'),
    )
    expect(run.stdout).not.toContain(key)
  })

  it('refuses to sign a body that is not a JSON object, sending nothing, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'send-unsigned-'))
    const file = join(dir, 'array.json')
    await writeFile(file, '[{"version":"4.0"}]')

    const run = await runScript('send', [file], {
      PORT: String(port),
      CALLBACK_SIGN_KEY: 'SendIntegrationKey0123456',
    })
    await rm(dir, { recursive: true, force: true })

    expect(run).toStrictEqual({
      code: 2,
      stdout: '',
      stderr:
        `${file} is not a JSON object, so it cannot carry the Sign and T that CALLBACK_SIGN_KEY asks for: ` +
        'run with CALLBACK_SIGN_KEY= to send it unsigned (a stack with a key answers 401 to it)\n',
    })
    expect(received).toStrictEqual([])
  })

  it('exits with 1 when the file cannot be read, and 2 on a wrong command line', async () => {
    const missing = await runScript('send', ['tests/fixtures/none.json'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^Could not read tests\/fixtures\/none\.json: ENOENT/)

    const wrong = await runScript('send', [])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/^give the body file to send\n\nUsage: npm run send/)
    expect(received).toStrictEqual([])
  })
})

describe("npm run send -- --to-queue / --as-task, to npm start's VOD stand-in", () => {
  let standIn: VodStandIn
  let dir: string
  const env = () => ({ VOD_PORT: new URL(standIn.endpoint).port, TABLE_NAME: 'send-test' })
  const tasksApi = () =>
    createVodTaskApi({
      credentials: VOD_STAND_IN_CREDENTIALS,
      region: 'ap-guangzhou',
      endpoint: standIn.endpoint,
    })
  /** A file of that content in a directory of the test's own. */
  async function file(name: string, content: string): Promise<string> {
    const path = join(dir, name)
    await writeFile(path, content)
    return path
  }

  beforeEach(async () => {
    standIn = await startVodStandIn({ port: await freePort() })
    dir = await mkdtemp(join(tmpdir(), 'send-stand-in-'))
  })
  afterEach(async () => {
    await standIn?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('--to-queue puts the fixture in the queue, whole, and says so in one line', async () => {
    const run = await runScript(
      'send',
      ['--to-queue', 'tests/fixtures/v3-procedure-snapshot.json'],
      env(),
    )

    expect(run).toStrictEqual({
      code: 0,
      stdout:
        `queued 1 event from tests/fixtures/v3-procedure-snapshot.json in the VOD stand-in at ${standIn.endpoint} ` +
        `(1 waiting): VOD_PORT=${env().VOD_PORT} TABLE_NAME=send-test npm run pull -- --once --local takes it\n`,
      stderr: '',
    })
    expect(standIn.waiting()).toBe(1)
  })

  it('--as-task turns the callback into the finished task DescribeTaskDetail answers', async () => {
    const startedAt = Date.now()

    const run = await runScript(
      'send',
      ['--as-task', 'tests/fixtures/v3-procedure-snapshot.json'],
      env(),
    )

    expect({ code: run.code, stderr: run.stderr }).toStrictEqual({ code: 0, stderr: '' })
    const TaskId = '1256768367-Procedure-475b72xxxcb177t1'
    const api = tasksApi()
    const [listed, ...more] = (await api.DescribeTasks({})).TaskSet ?? []
    expect(more).toStrictEqual([])
    expect(listed).toMatchObject({ TaskId, TaskType: 'Procedure', Status: 'FINISH' })
    const finishedAt = Date.parse(listed?.FinishTime ?? '')
    expect(finishedAt).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000)
    expect(finishedAt).toBeLessThanOrEqual(Date.now())
    expect((await api.DescribeTaskDetail({ TaskId })).ProcedureTask).toStrictEqual(
      fixture('v3-procedure-snapshot').ProcedureStateChangeEvent,
    )
    expect(run.stdout).toBe(
      `added task ${TaskId} (Procedure, FINISH at ${listed?.FinishTime}) to the VOD stand-in at ` +
        `${standIn.endpoint}: VOD_PORT=${env().VOD_PORT} TABLE_NAME=send-test npm run reconcile -- --local --since ` +
        `${new Date(finishedAt - 3_600_000).toISOString().slice(0, 19)}Z finds it\n`,
    )
  })

  it('--as-task takes a 2017 screenshot callback, and a task as it is', async () => {
    const task = {
      TaskId: 'transcode-1',
      TaskType: 'Transcode',
      Status: 'FINISH',
      CreateTime: new Date(Date.now() - 60_000).toISOString(),
    }

    const callback = await runScript(
      'send',
      ['--as-task', 'tests/fixtures/v3-snapshot-success.json'],
      env(),
    )
    const asIs = await runScript(
      'send',
      ['--as-task', await file('task.json', JSON.stringify(task))],
      env(),
    )

    expect([callback.code, asIs.code]).toStrictEqual([0, 0])
    expect(asIs.stdout).toBe(
      `added task transcode-1 (Transcode, FINISH) to the VOD stand-in at ${standIn.endpoint}\n`,
    )
    const listed = (await tasksApi().DescribeTasks({})).TaskSet ?? []
    expect(listed.map((t) => [t.TaskId, t.TaskType])).toStrictEqual([
      ['CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd', 'SnapshotByTimeOffset'],
      ['transcode-1', 'Transcode'],
    ])
  })

  it('refuses a file that is not JSON, or not what the route takes, in one line, exit 1', async () => {
    const notJson = await file('not.json', 'not json')
    const legacy = 'tests/fixtures/legacy-snapshot-success.json'

    const runs = [
      await runScript('send', ['--to-queue', notJson], env()),
      await runScript('send', ['--as-task', notJson], env()),
      await runScript('send', ['--to-queue', legacy], env()),
      await runScript('send', ['--as-task', legacy], env()),
      await runScript('send', ['--as-task', 'tests/fixtures/v3-new-file-upload.json'], env()),
      await runScript('send', ['--as-task', 'tests/fixtures/none.json'], env()),
    ]

    expect(runs.map((run) => run.code)).toStrictEqual([1, 1, 1, 1, 1, 1])
    expect(runs.map((run) => run.stdout)).toStrictEqual(['', '', '', '', '', ''])
    expect(runs.slice(0, 5).map((run) => run.stderr)).toStrictEqual([
      `${notJson} is not JSON\n`,
      `${notJson} is not JSON\n`,
      `The VOD stand-in at ${standIn.endpoint} did not take ${legacy}: 400 the body is not what this route takes: EventType: is required\n`,
      `${legacy} cannot be sent as a task: a 4.0 (legacy) callback has no task form: give a v3.0 one, such as tests/fixtures/v3-procedure-snapshot.json\n`,
      'tests/fixtures/v3-new-file-upload.json cannot be sent as a task: neither a task (TaskType ...) nor a v3.0 ProcedureStateChanged or CreateSnapshotByTimeOffsetComplete callback\n',
    ])
    expect(runs[5]?.stderr).toMatch(/^Could not read tests\/fixtures\/none\.json: ENOENT/)
    expect(standIn.waiting()).toBe(0)
    expect((await tasksApi().DescribeTasks({})).TaskSet).toStrictEqual([])
  })

  it('shows a file name that holds control characters escaped, in every refusal', async () => {
    const escaped = (path: string) =>
      path.replaceAll('\u001b', '\\u001b').replaceAll('\u202e', '\\u202e')
    const named = await file('not\u001b[2J\u202e.json', 'not json')
    const legacy = await file('legacy\u001b[2J\u202e.json', fixtureText('legacy-snapshot-success'))
    const missing = join(dir, 'none\u001b[2J\u202e.json')

    const runs = [
      await runScript('send', ['--to-queue', named], env()),
      await runScript('send', [named], { ...env(), CALLBACK_SIGN_KEY: 'SendSignKey0123' }),
      await runScript('send', ['--as-task', legacy], env()),
      await runScript('send', ['--to-queue', legacy], env()),
      await runScript('send', ['--to-queue', missing], env()),
    ]

    expect(runs.map((run) => run.code)).toStrictEqual([1, 2, 1, 1, 1])
    expect(runs[0]?.stderr).toBe(`${escaped(named)} is not JSON\n`)
    expect(runs[1]?.stderr.split(' is not a JSON object')[0]).toBe(escaped(named))
    expect(runs[2]?.stderr.split(' cannot be sent as a task')[0]).toBe(escaped(legacy))
    expect(runs[3]?.stderr.split(': 400 ')[0]).toBe(
      `The VOD stand-in at ${standIn.endpoint} did not take ${escaped(legacy)}`,
    )
    expect(runs[4]?.stderr.split(': ENOENT')[0]).toBe(`Could not read ${escaped(missing)}`)
    const printed = runs.map((run) => run.stderr + run.stdout).join('')
    expect(['\u001b', '\u202e'].filter((char) => printed.includes(char))).toStrictEqual([])
  })

  it('exits with 1 and says so when no stand-in is running on VOD_PORT', async () => {
    const closed = await freePort()

    const run = await runScript('send', ['--to-queue', 'tests/fixtures/v3-snapshot-success.json'], {
      VOD_PORT: String(closed),
    })

    expect(run).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `No VOD stand-in at http://127.0.0.1:${closed} (connect ECONNREFUSED 127.0.0.1:${closed}): start it with npm start, on VOD_PORT\n`,
    })
  })
})
