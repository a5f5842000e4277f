import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { NotATaskError, standInTasksOf } from '../../lib/local/callback-as-task'
import type { VodStandInTask } from '../../lib/local/vod-stand-in-tasks'
import {
  parseSendArgs,
  sendCallback,
  sendSecrets,
  sendToStandIn,
  signCallbackBody,
  standInLine,
  standInRefusal,
} from '../../lib/operator/send-cli'
import { UsageError } from '../../lib/operator/usage-error'
import { createSignatureCheck } from '../../lib/receive/callback-signature'
import { redactSecrets } from '../../lib/runtime/redaction'
import { fixture } from '../support/fixtures'

const NOW = Date.parse('2026-12-04T12:34:56.789Z')

describe('parseSendArgs', () => {
  it('sends to the local stack by default, with the variables npm start reads', () => {
    expect(parseSendArgs(['body.json'], {})).toStrictEqual({
      file: 'body.json',
      url: 'http://127.0.0.1:3000/vod/callback?token=local-development-token',
      to: 'callback',
    })
    expect(parseSendArgs(['body.json'], { PORT: '3100', CALLBACK_TOKEN: 'a&b c' })).toStrictEqual({
      file: 'body.json',
      url: 'http://127.0.0.1:3100/vod/callback?token=a%26b%20c',
      to: 'callback',
    })
  })

  it('sends with the first of several tokens, as the function takes any one of them', () => {
    const env = { CALLBACK_TOKEN: ' first-token-0123456789, second-token-0123456789' }
    expect(parseSendArgs(['body.json'], env)).toMatchObject({
      url: 'http://127.0.0.1:3000/vod/callback?token=first-token-0123456789',
    })
  })

  it('sends to the URL given', () => {
    const url = 'https://api.example/vod/callback?token=secret-token-0123456789'
    expect(parseSendArgs(['--url', url, 'body.json'], {})).toStrictEqual({
      file: 'body.json',
      url,
      to: 'callback',
    })
  })

  it("gives --to-queue and --as-task files to the stand-in's admin routes on VOD_PORT", () => {
    expect(parseSendArgs(['--to-queue', 'event.json'], {})).toStrictEqual({
      file: 'event.json',
      url: 'http://127.0.0.1:9400/stand-in/events',
      to: 'queue',
      stackVariables: '',
    })
    expect(parseSendArgs(['--as-task', 'task.json'], { VOD_PORT: '9401' })).toStrictEqual({
      file: 'task.json',
      url: 'http://127.0.0.1:9401/stand-in/tasks',
      to: 'task',
      stackVariables: 'VOD_PORT=9401 ',
    })
  })

  it("keeps the local stack's variables this shell sets, for the command it prints next", () => {
    const env = {
      VOD_PORT: '9500',
      DYNAMODB_PORT: '8100',
      SQS_PORT: '',
      QUARANTINE_BUCKET: 'kept-dev',
      TABLE_NAME: 'results.dev-1',
      FORWARD_URL: 'https://receiver.example/hook?key=secret-in-url',
      PORT: '3100',
    }
    const variables =
      'VOD_PORT=9500 DYNAMODB_PORT=8100 QUARANTINE_BUCKET=kept-dev TABLE_NAME=results.dev-1 '
    // The pull passes other events on to FORWARD_URL: named, never printed (it may hold a key).
    expect(parseSendArgs(['--to-queue', 'e.json'], env)).toMatchObject({
      stackVariables: `${variables}FORWARD_URL="$FORWARD_URL" `,
    })
    expect(parseSendArgs(['--as-task', 't.json'], env)).toMatchObject({ stackVariables: variables })
    // A default is left out; a value a shell would run or split is quoted.
    expect(
      parseSendArgs(['--as-task', 't.json'], {
        VOD_PORT: '9400',
        TABLE_NAME: '$(rm -rf ~)',
        SQS_PORT: '9 9',
      }),
    ).toMatchObject({ stackVariables: "SQS_PORT='9 9' TABLE_NAME='$(rm -rf ~)' " })
  })

  it('signs a callback with the first CALLBACK_SIGN_KEY, never a stand-in route', () => {
    const env = { CALLBACK_SIGN_KEY: ' FirstKey0123456789 , SecondKey0123456789' }
    expect(parseSendArgs(['body.json'], env)).toStrictEqual({
      file: 'body.json',
      url: 'http://127.0.0.1:3000/vod/callback?token=local-development-token',
      to: 'callback',
      signKey: 'FirstKey0123456789',
    })
    expect(parseSendArgs(['body.json'], { CALLBACK_SIGN_KEY: '' })).not.toHaveProperty('signKey')
    expect(parseSendArgs(['--to-queue', 'event.json'], env)).not.toHaveProperty('signKey')
  })

  it('answers help to --help', () => {
    expect(parseSendArgs(['--help'], {})).toBe('help')
  })

  it.each([
    ['no file', [], 'give the body file'],
    ['two files', ['a.json', 'b.json'], 'one file at a time'],
    ['an unknown option', ['a.json', '--token', 'x'], "Unknown option '--token'"],
    ['a URL that is not http', ['a.json', '--url', 'file:///etc/passwd'], 'http or https URL'],
    ['a URL that is no URL', ['a.json', '--url', 'localhost:3000'], 'http or https URL'],
    ['both stand-in routes', ['--to-queue', '--as-task', 'a.json'], 'not both'],
    [
      'a callback URL for the stand-in',
      ['--as-task', 'a.json', '--url', 'http://127.0.0.1:3000/vod/callback'],
      "--url is the callback's; --as-task goes to the stand-in on VOD_PORT",
    ],
    ['--to-queue without a file', ['--to-queue'], 'give the body file'],
  ])('refuses %s with a usage error', (_, argv, message) => {
    expect(() => parseSendArgs(argv, {})).toThrow(UsageError)
    expect(() => parseSendArgs(argv, {})).toThrow(message)
  })

  it('refuses a VOD_PORT that is no port', () => {
    expect(() => parseSendArgs(['--to-queue', 'a.json'], { VOD_PORT: 'abc' })).toThrow(
      new UsageError('VOD_PORT must be a port, not abc'),
    )
  })
})

describe('sendSecrets', () => {
  it('removes the token, raw and encoded, and the key from text that echoes them', () => {
    const secrets = sendSecrets({
      url: 'http://h/cb?token=a%2Fsecret%2F0123456789',
      signKey: 'SignKey0123456789',
    })
    const text = 'got a/secret/0123456789 and a%2Fsecret%2F0123456789, key SignKey0123456789'
    expect(redactSecrets(text, secrets)).toBe('got [REDACTED] and [REDACTED], key [REDACTED]')
  })
})

describe('parseSendArgs with a user or password in --url', () => {
  it('refuses it in one line: fetch would send nothing', () => {
    // Found outside: --url with user:password@ printed the password in clear, and fetch refuses
    // such a URL, so it was never sent.
    for (const url of ['http://user:p%40ss-w0rd@h/cb?token=secret-0123456789', 'http://u@h/cb']) {
      expect(() => parseSendArgs(['a.json', '--url', url], {})).toThrow(
        new UsageError('--url must not carry a user name or password: the token goes in ?token='),
      )
    }
  })
})

describe('sendCallback', () => {
  it('POSTs the bytes as the body, adds no Content-Type and returns status and text', async () => {
    const calls: [string, RequestInit | undefined][] = []
    const fakeFetch = (async (url: string, init?: RequestInit) => {
      calls.push([url, init])
      return new Response('{"code":0,"stored":2}', { status: 200, statusText: 'OK' })
    }) as typeof fetch
    const body = new TextEncoder().encode('{"version":"4.0"}')

    const answer = await sendCallback('http://h/cb?token=t', body, fakeFetch)

    expect(calls).toStrictEqual([['http://h/cb?token=t', { method: 'POST', body }]])
    expect(answer).toStrictEqual({ status: 200, statusText: 'OK', body: '{"code":0,"stored":2}' })
  })
})

describe('signCallbackBody', () => {
  const KEY = 'SendSignKey0123456789'
  const bytes = (text: string) => new TextEncoder().encode(text)
  const text = (body: Uint8Array | undefined) => new TextDecoder().decode(body)

  it('adds Sign and T (now + 10 minutes) before the closing brace, the rest byte for byte', () => {
    const file = '{\n  "version": "4.0",\n  "big": 14508071098244929440123\n}\n'
    const expiresAt = Math.floor(NOW / 1000) + 600
    const sign = createHash('md5').update(`${KEY}${expiresAt}`).digest('hex')

    const signed = signCallbackBody(bytes(file), KEY, NOW)

    expect(signed?.expiresAt).toBe(expiresAt)
    expect(text(signed?.body)).toBe(
      `{\n  "version": "4.0",\n  "big": 14508071098244929440123\n,"Sign":"${sign}","T":${expiresAt}}\n`,
    )
    expect(createSignatureCheck([KEY])(JSON.parse(text(signed?.body)), NOW)).toBeUndefined()
  })

  it('signs an empty object, and overrides a Sign and T already there', () => {
    const check = createSignatureCheck([KEY])
    const empty = signCallbackBody(bytes('{}'), KEY, NOW)
    const stale = signCallbackBody(bytes('{"Sign":"00","T":1,"a":1}'), KEY, NOW)
    expect(JSON.parse(text(empty?.body))).toStrictEqual({
      Sign: expect.any(String),
      T: expect.any(Number),
    })
    expect(check(JSON.parse(text(empty?.body)), NOW)).toBeUndefined()
    expect(check(JSON.parse(text(stale?.body)), NOW)).toBeUndefined()
  })

  it.each([
    ['not JSON', bytes('not json')],
    ['an array', bytes('[{"version":"4.0"}]')],
    ['a string', bytes('"text"')],
    ['null', bytes('null')],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
  ])('cannot sign a body that is %s', (_, body) => {
    expect(signCallbackBody(body, KEY, NOW)).toBeUndefined()
  })
})

describe('standInTasksOf (--as-task)', () => {
  it('turns a v3.0 task-flow callback into the finished Procedure task VOD remembers for it', () => {
    const body = fixture<{ ProcedureStateChangeEvent: Record<string, unknown> }>(
      'v3-procedure-snapshot',
    )

    expect(standInTasksOf(body, NOW)).toStrictEqual([
      {
        TaskId: '1256768367-Procedure-475b72xxxcb177t1',
        Status: 'FINISH',
        FileId: '5285890784246869930',
        CreateTime: '2026-12-04T12:34:56Z',
        FinishTime: '2026-12-04T12:34:56Z',
        SessionId: 'dedup-4711',
        SessionContext: 'order-4711',
        TaskType: 'Procedure',
        ProcedureTask: body.ProcedureStateChangeEvent,
      },
    ])
  })

  it('turns a v3.0 CreateSnapshotByTimeOffsetComplete into a SnapshotByTimeOffset task', () => {
    const body = fixture<{ SnapshotByTimeOffsetCompleteEvent: Record<string, unknown> }>(
      'v3-snapshot-success',
    )

    expect(standInTasksOf(body, NOW)).toStrictEqual([
      {
        TaskId: 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd',
        Status: 'FINISH',
        FileId: '14508071098244929440',
        CreateTime: '2026-12-04T12:34:56Z',
        FinishTime: '2026-12-04T12:34:56Z',
        TaskType: 'SnapshotByTimeOffset',
        SnapshotByTimeOffsetTask: body.SnapshotByTimeOffsetCompleteEvent,
      },
    ])
  })

  it('takes a task as it is, and an array of tasks and callbacks one by one', () => {
    const task: VodStandInTask = {
      TaskId: 'transcode-1',
      TaskType: 'Transcode',
      Status: 'FINISH',
      CreateTime: '2026-12-04T10:00:00Z',
      FinishTime: '2026-12-04T10:05:00Z',
    }

    const tasks = standInTasksOf([task, fixture('v3-snapshot-success')], NOW)

    expect(tasks.map((t) => [t.TaskId, t.TaskType, t.FinishTime])).toStrictEqual([
      ['transcode-1', 'Transcode', '2026-12-04T10:05:00Z'],
      [
        'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd',
        'SnapshotByTimeOffset',
        '2026-12-04T12:34:56Z',
      ],
    ])
    expect(tasks[0]).toStrictEqual(task)
  })

  it.each([
    [
      'a 4.0 callback',
      fixture('legacy-snapshot-success'),
      'a 4.0 (legacy) callback has no task form',
    ],
    ['another event type', fixture('v3-new-file-upload'), 'neither a task (TaskType ...) nor'],
    ['no object', 'text', 'not a JSON object'],
    ['an empty array', [], 'the array holds nothing'],
    [
      'a callback without its event',
      { EventType: 'ProcedureStateChanged' },
      'ProcedureStateChanged without ProcedureStateChangeEvent',
    ],
    [
      'an event without TaskId',
      { EventType: 'CreateSnapshotByTimeOffsetComplete', SnapshotByTimeOffsetCompleteEvent: {} },
      'SnapshotByTimeOffsetCompleteEvent.TaskId is missing',
    ],
    ['a bad item of an array', [fixture('v3-snapshot-success'), 5], 'item 1: not a JSON object'],
  ])('refuses %s, saying what it is', (_, body, message) => {
    expect(() => standInTasksOf(body, NOW)).toThrow(NotATaskError)
    expect(() => standInTasksOf(body, NOW)).toThrow(message)
  })
})

describe("the stand-in's answers, in one line", () => {
  const queue = parseSendArgs(['--to-queue', 'e.json'], {}) as Exclude<
    ReturnType<typeof parseSendArgs>,
    'help'
  >
  const task = {
    ...queue,
    file: 't.json',
    url: 'http://127.0.0.1:9400/stand-in/tasks',
    to: 'task' as const,
  }
  const finished = (TaskId: string, FinishTime: string): VodStandInTask => ({
    TaskId,
    TaskType: 'Procedure',
    Status: 'FINISH',
    CreateTime: FinishTime,
    FinishTime,
  })

  it('says what was queued and what takes it from there', () => {
    expect(standInLine(queue, '{"queued":1,"waiting":3}')).toBe(
      'queued 1 event from e.json in the VOD stand-in at http://127.0.0.1:9400 (3 waiting): ' +
        'npm run pull -- --once --local takes it',
    )
    expect(standInLine(queue, '{"queued":2,"waiting":2}')).toContain('queued 2 events from')
  })

  it('says which tasks were added, and the reconcile that finds them', () => {
    expect(standInLine(task, '{"added":1}', [finished('t-1', '2026-12-04T12:00:00Z')])).toBe(
      'added task t-1 (Procedure, FINISH at 2026-12-04T12:00:00Z) to the VOD stand-in at ' +
        'http://127.0.0.1:9400: npm run reconcile -- --local --since 2026-12-04T11:00:00Z finds it',
    )
    const two = [finished('t-1', '2026-12-04T12:00:00Z'), finished('t-2', '2026-12-04T10:00:00Z')]
    expect(standInLine(task, '{"added":2}', two)).toMatch(
      /^added tasks t-1 \(.*\), t-2 \(.*\) to .*--since 2026-12-04T09:00:00Z finds them$/,
    )
    const running = { ...finished('t-3', ''), Status: 'PROCESSING' as const, FinishTime: undefined }
    expect(standInLine(task, '{"added":1}', [running])).toBe(
      'added task t-3 (Procedure, PROCESSING) to the VOD stand-in at http://127.0.0.1:9400',
    )
  })

  it('puts the variables that reach the same stack before the command it prints', () => {
    const elsewhere = {
      ...queue,
      url: 'http://127.0.0.1:9500/stand-in/events',
      stackVariables: 'VOD_PORT=9500 DYNAMODB_PORT=8100 ',
    }
    expect(standInLine(elsewhere, '{"queued":1,"waiting":1}')).toMatch(
      /\(1 waiting\): VOD_PORT=9500 DYNAMODB_PORT=8100 npm run pull -- --once --local takes it$/,
    )
    const asTask = { ...task, stackVariables: 'TABLE_NAME=t1 ' }
    expect(standInLine(asTask, '{"added":1}', [finished('t-1', '2026-12-04T12:00:00Z')])).toMatch(
      /: TABLE_NAME=t1 npm run reconcile -- --local --since 2026-12-04T11:00:00Z finds it$/,
    )
  })

  it('answers undefined to an answer that is not the stand-in’s', () => {
    expect(standInLine(queue, '<html>')).toBeUndefined()
    expect(standInLine(task, '{"queued":1,"waiting":1}', [])).toBeUndefined()
  })

  it("puts a refusal's message and problems in words, and anything else as it came", () => {
    const problems = ['EventType: is required', '0.TaskId: must not be empty']
    expect(
      standInRefusal({
        status: 400,
        statusText: 'Bad Request',
        body: JSON.stringify({
          code: 400,
          message: 'the body is not what this route takes',
          problems,
        }),
      }),
    ).toBe(
      '400 the body is not what this route takes: EventType: is required; 0.TaskId: must not be empty',
    )
    expect(standInRefusal({ status: 404, statusText: 'Not Found', body: 'no such thing' })).toBe(
      '404 no such thing',
    )
  })

  it('POSTs the body as application/json', async () => {
    const calls: [string, RequestInit | undefined][] = []
    const fakeFetch = (async (url: string, init?: RequestInit) => {
      calls.push([url, init])
      return new Response('{"added":1}', { status: 200, statusText: 'OK' })
    }) as typeof fetch

    const answer = await sendToStandIn(task.url, '{"TaskId":"t"}', fakeFetch)

    expect(calls).toStrictEqual([
      [
        task.url,
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"TaskId":"t"}' },
      ],
    ])
    expect(answer).toStrictEqual({ status: 200, statusText: 'OK', body: '{"added":1}' })
  })
})
