import { describe, expect, it } from 'vitest'
import {
  describeQueryError,
  describeSubject,
  parseQueryArgs,
  type QueryRequest,
  renderQueryText,
} from '../../lib/operator/query-cli'
import { UsageError } from '../../lib/operator/usage-error'
import { operatorClientConfig } from '../../lib/runtime/dynamodb-client'
import { FILE_ID, snapshotItem } from '../support/snapshot-items'

const LOCAL = { accessKeyId: 'local', secretAccessKey: 'local' }

describe('parseQueryArgs', () => {
  it('reads a task query with the defaults npm start uses', () => {
    expect(parseQueryArgs(['--task', 'T1'], {})).toStrictEqual({
      by: 'task',
      id: 'T1',
      failedOnly: false,
      output: { kind: 'table' },
      tableName: 'vod-snapshots',
      endpoint: undefined,
    })
  })

  it('reads a file query with every option', () => {
    expect(
      parseQueryArgs(
        [
          '--file',
          '145',
          '--failed',
          '--html',
          'sheet.html',
          '--table',
          't',
          '--endpoint',
          'http://h:1',
        ],
        { TABLE_NAME: 'from-env', DYNAMODB_ENDPOINT: 'http://env:2' },
      ),
    ).toStrictEqual({
      by: 'file',
      id: '145',
      failedOnly: true,
      output: { kind: 'html', file: 'sheet.html' },
      tableName: 't',
      endpoint: 'http://h:1',
    })
    expect(parseQueryArgs(['--file=145', '--json'], {})).toMatchObject({ output: { kind: 'json' } })
  })

  it('reads the table and the endpoint from the environment the function reads', () => {
    expect(
      parseQueryArgs(['--task', 'T'], {
        TABLE_NAME: 'vod-snapshots-prod',
        DYNAMODB_ENDPOINT: 'http://e:1',
      }),
    ).toMatchObject({ tableName: 'vod-snapshots-prod', endpoint: 'http://e:1' })
  })

  it("uses the local stack's DynamoDB with --local only when no endpoint is set", () => {
    expect(parseQueryArgs(['--task', 'T', '--local'], {})).toMatchObject({
      endpoint: 'http://127.0.0.1:8000',
    })
    expect(parseQueryArgs(['--task', 'T', '--local'], { DYNAMODB_PORT: '8123' })).toMatchObject({
      endpoint: 'http://127.0.0.1:8123',
    })
    expect(
      parseQueryArgs(['--task', 'T', '--local'], { DYNAMODB_ENDPOINT: 'http://e:1' }),
    ).toMatchObject({ endpoint: 'http://e:1' })
  })

  it('answers help to --help and -h', () => {
    expect(parseQueryArgs(['--help'], {})).toBe('help')
    expect(parseQueryArgs(['-h', '--task', 'T'], {})).toBe('help')
  })

  it.each([
    ['nothing', [], 'exactly one of --task'],
    ['both a task and a file', ['--task', 'T', '--file', 'F'], 'exactly one of --task'],
    ['an empty task', ['--task', ''], '--task must not be empty'],
    ['an empty file', ['--file='], '--file must not be empty'],
    ['a task without its value', ['--task'], "Option '--task <value>' argument missing"],
    ['an unknown option', ['--task', 'T', '--limit', '5'], "Unknown option '--limit'"],
    ['a positional argument', ['T'], "Unexpected argument 'T'"],
    ['both --json and --html', ['--task', 'T', '--json', '--html', 'x'], 'at most one of --json'],
    [
      'an endpoint that is no URL',
      ['--task', 'T', '--endpoint', 'localhost'],
      'not a URL: localhost',
    ],
  ])('refuses %s with a usage error', (_, argv, message) => {
    expect(() => parseQueryArgs(argv, {})).toThrow(UsageError)
    expect(() => parseQueryArgs(argv, {})).toThrow(message)
  })
})

describe('operatorClientConfig', () => {
  it('leaves region and credentials to the SDK chain for AWS', () => {
    expect(operatorClientConfig(undefined, { AWS_REGION: 'ap-southeast-1' })).toStrictEqual({})
  })

  it('signs with local credentials for an endpoint when the environment names none', () => {
    expect(operatorClientConfig('http://127.0.0.1:8000', {})).toStrictEqual({
      endpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
      credentials: LOCAL,
    })
  })

  it("keeps the environment's region and credentials for an endpoint", () => {
    expect(
      operatorClientConfig('http://e:1', { AWS_REGION: 'eu-west-1', AWS_PROFILE: 'ops' }),
    ).toStrictEqual({ endpoint: 'http://e:1', region: 'eu-west-1' })
    expect(operatorClientConfig('http://e:1', { AWS_ACCESS_KEY_ID: 'AKIA' })).not.toHaveProperty(
      'credentials',
    )
  })
})

describe('describeQueryError', () => {
  it('names the table and where it was looked for when it does not exist', () => {
    const error = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
    })
    expect(describeQueryError(error, 'vod-snapshots', 'http://127.0.0.1:8000')).toBe(
      'Table "vod-snapshots" not found at http://127.0.0.1:8000. Set TABLE_NAME or --table to its name.',
    )
  })

  it("passes any other error's message on, in one line", () => {
    expect(
      describeQueryError(
        new Error('connect ECONNREFUSED 127.0.0.1:8000'),
        't',
        'http://127.0.0.1:8000',
      ),
    ).toBe(
      'Could not query table "t" at http://127.0.0.1:8000: connect ECONNREFUSED 127.0.0.1:8000',
    )
    expect(describeQueryError('odd', 't', 'DynamoDB in us-east-1')).toBe(
      'Could not query table "t" at DynamoDB in us-east-1: odd',
    )
  })
})

describe('the text an operator reads', () => {
  // Clear the screen, set the window title, the 8-bit CSI, a right-to-left override, a lone
  // surrogate: what VOD, or whoever signs as it, could put in a task ID or a URL.
  const ATTACK = '\u001b[2J\u001b]0;owned\u0007\u009b\u202e\ud800'
  const RAW = ['\u001b', '\u0007', '\u009b', '\u202e', '\ud800']
  const SHOWN = '\\u001b[2J\\u001b]0;owned\\u0007\\u009b\\u202e\\ud800'
  const request: QueryRequest = {
    by: 'file',
    id: FILE_ID,
    failedOnly: false,
    output: { kind: 'table' },
    tableName: 't',
    endpoint: undefined,
  }

  it('escapes received task IDs and URLs before the table is laid out, Chinese kept', () => {
    const items = [
      snapshotItem(0, { vodTaskId: `T${ATTACK}`, url: `http://x/截图${ATTACK}.png` }),
      snapshotItem(1000, { vodTaskId: 'T2', status: -44098 }),
    ]
    const text = renderQueryText(items, request, 'http://127.0.0.1:8000')
    for (const char of RAW) expect(text).not.toContain(char)
    const task = `T${SHOWN}`
    expect(text).toBe(
      [
        `Screenshots of video ${FILE_ID}`,
        '',
        `     offset  task${' '.repeat(task.length - 4)}  status                                 url`,
        `0:00:00.000  ${task}  OK                                     http://x/截图${SHOWN}.png`,
        `0:00:01.000  T2${' '.repeat(task.length - 2)}  error -44098: screenshot: end of file  -`,
        '',
        '2 screenshots: 1 OK, 1 failed',
      ].join('\n'),
    )
  })

  it('says when nothing is stored, the ID escaped', () => {
    const asked = { ...request, by: 'task' as const, id: `截图${ATTACK}`, failedOnly: true }
    expect(renderQueryText([], asked, 'DynamoDB in us-east-1')).toBe(
      `No screenshots stored for task 截图${SHOWN} (failed only) in table "t" at DynamoDB in us-east-1.`,
    )
    expect(describeSubject(asked)).toBe(`task 截图${SHOWN} (failed only)`)
  })
})
