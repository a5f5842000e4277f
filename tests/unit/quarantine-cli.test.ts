import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import {
  namedIds,
  type QuarantinedCallback,
  type QuarantineSummary,
  summarise,
} from '../../lib/durability/quarantine'
import {
  confirm,
  deletionQuestion,
  describeReplayOutcome,
  filterSummaries,
  parseQuarantineArgs,
  renderQuarantinedCallback,
  renderQuarantineList,
} from '../../lib/operator/quarantine-cli'
import { replayProgressLine } from '../../lib/operator/replay-cli'
import { UsageError } from '../../lib/operator/usage-error'
import { fixture } from '../support/fixtures'

const DEFAULTS = {
  filter: {},
  yes: false,
  json: false,
  bucket: 'vod-snapshots-quarantine',
  s3Endpoint: undefined,
  tableName: 'vod-snapshots',
  dynamodbEndpoint: undefined,
  resultTtlDays: undefined,
}

describe('parseQuarantineArgs', () => {
  it('reads each action', () => {
    expect(parseQuarantineArgs(['--list'], {})).toStrictEqual({
      action: { kind: 'list' },
      ...DEFAULTS,
    })
    expect(parseQuarantineArgs(['--show', 'A-1'], {})).toStrictEqual({
      action: { kind: 'show', id: 'A-1' },
      ...DEFAULTS,
    })
    expect(parseQuarantineArgs(['--replay', 'A-1'], {})).toStrictEqual({
      action: { kind: 'replay', id: 'A-1' },
      ...DEFAULTS,
    })
    expect(parseQuarantineArgs(['--replay', '--all'], {})).toStrictEqual({
      action: { kind: 'replay-all' },
      ...DEFAULTS,
    })
    expect(parseQuarantineArgs(['--import', 'lines.txt'], {})).toStrictEqual({
      action: { kind: 'import', file: 'lines.txt' },
      ...DEFAULTS,
    })
  })

  it('finds the local stack with the variables npm start reads', () => {
    expect(
      parseQuarantineArgs(['--list', '--local', '--json'], {
        SQS_PORT: '9400',
        DYNAMODB_PORT: '8100',
      }),
    ).toStrictEqual({
      ...DEFAULTS,
      action: { kind: 'list' },
      json: true,
      s3Endpoint: 'http://127.0.0.1:9400',
      dynamodbEndpoint: 'http://127.0.0.1:8100',
    })
    expect(parseQuarantineArgs(['--list', '--local'], {})).toMatchObject({
      s3Endpoint: 'http://127.0.0.1:9324',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
    })
  })

  it('prefers options to the environment, and the environment to --local', () => {
    expect(
      parseQuarantineArgs(
        ['--list', '--local', '--bucket', 'b-opt', '--s3-endpoint', 'http://s3:1', '--table', 't'],
        { QUARANTINE_BUCKET: 'b-env', DYNAMODB_ENDPOINT: 'http://ddb:2', TABLE_NAME: 'env' },
      ),
    ).toStrictEqual({
      action: { kind: 'list' },
      filter: {},
      yes: false,
      json: false,
      bucket: 'b-opt',
      s3Endpoint: 'http://s3:1',
      tableName: 't',
      dynamodbEndpoint: 'http://ddb:2',
      resultTtlDays: undefined,
    })
  })

  it('reads the filters of --list, --replay --all and --delete --older-than', () => {
    const filters = ['--task', 'T-1', '--file', '145', '--since', '2026-12-04T09:00:00+08:00']
    const filter = { taskId: 'T-1', fileId: '145', since: '2026-12-04T01:00:00.000Z' }
    expect(parseQuarantineArgs(['--list', ...filters], {})).toStrictEqual({
      ...DEFAULTS,
      action: { kind: 'list' },
      filter,
    })
    expect(parseQuarantineArgs(['--replay', '--all', '--task', 'T-1'], {})).toMatchObject({
      action: { kind: 'replay-all' },
      filter: { taskId: 'T-1' },
    })
    expect(parseQuarantineArgs(['--delete', '--older-than', '30', ...filters], {})).toStrictEqual({
      ...DEFAULTS,
      action: { kind: 'delete-older', olderThanDays: 30 },
      filter,
    })
  })

  it('reads --delete of one or more IDs, and --yes', () => {
    expect(parseQuarantineArgs(['--delete', 'A-1', 'B-2', '--yes'], {})).toStrictEqual({
      ...DEFAULTS,
      action: { kind: 'delete', ids: ['A-1', 'B-2'] },
      yes: true,
    })
    expect(parseQuarantineArgs(['--delete', '--older-than', '0.5'], {})).toMatchObject({
      action: { kind: 'delete-older', olderThanDays: 0.5 },
      yes: false,
    })
  })

  it.each([
    [['--delete'], '--delete needs quarantine IDs or --older-than <days>'],
    [['--delete', 'A-1', '--older-than', '3'], 'give --older-than or IDs, not both'],
    [['--delete', '--older-than=-3'], '--older-than must be a number of days, not -3'],
    [['--delete', '--older-than', 'week'], '--older-than must be a number of days, not week'],
    [['--delete', 'A-1', 'a/b'], '--delete: not a quarantine ID: a/b'],
    [['--list', '--older-than', '3'], '--older-than goes with --delete'],
    [['--list', '--yes'], '--yes goes with --delete'],
    [
      ['--list', '--since', 'yesterday'],
      '--since must be an ISO time such as 2026-12-04T09:00:00Z, not yesterday',
    ],
    [
      ['--list', '--since', '2026-13-45'],
      '--since must be an ISO time such as 2026-12-04T09:00:00Z, not 2026-13-45',
    ],
    [
      ['--show', 'A-1', '--task', 'T'],
      '--task, --file and --since go with --list, --replay --all and --delete --older-than',
    ],
    [
      ['--replay', 'A-1', '--file', 'F'],
      '--task, --file and --since go with --list, --replay --all and --delete --older-than',
    ],
    [
      ['--delete', 'A-1', '--since', '2026-12-04'],
      '--task, --file and --since go with --list, --replay --all and --delete --older-than',
    ],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseQuarantineArgs(argv, {})).toThrow(new UsageError(message))
  })

  it.each([
    [[], 'give exactly one of --list, --show, --replay, --delete and --import'],
    [
      ['--list', '--show', 'x'],
      'give exactly one of --list, --show, --replay, --delete and --import',
    ],
    [['--show'], '--show needs a quarantine ID'],
    [['--replay'], '--replay needs a quarantine ID'],
    [['--replay', 'x', '--all'], 'give --all or an ID, not both'],
    [['--show', 'a/b'], '--show: not a quarantine ID: a/b'],
    [['--list', 'x'], '--list takes no argument'],
    [['--list', '--all'], '--all goes with --replay'],
    [['--import'], '--import needs the file of exported log lines'],
    [['--show', 'a', 'b'], 'one argument at a time, not also b'],
    [['--list', '--s3-endpoint', 'nope'], 'the S3 endpoint is not a URL: nope'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseQuarantineArgs(argv, {})).toThrow(new UsageError(message))
  })

  it('reads RESULT_TTL_DAYS as the deployment sets it, and refuses a wrong one', () => {
    expect(parseQuarantineArgs(['--list'], { RESULT_TTL_DAYS: '90' })).toMatchObject({
      resultTtlDays: 90,
    })
    expect(() => parseQuarantineArgs(['--list'], { RESULT_TTL_DAYS: '-1' })).toThrow(
      new UsageError('RESULT_TTL_DAYS must not be negative'),
    )
  })

  it('returns help for --help', () => {
    expect(parseQuarantineArgs(['--help'], {})).toBe('help')
  })
})

const entryOf = (body: string, bodyEncoding: 'utf8' | 'base64' = 'utf8'): QuarantinedCallback => ({
  kind: 'vod-snapshots/quarantined-callback',
  id: 'q',
  receivedAt: '2026-11-24T03:00:00.000Z',
  requestId: 'q',
  statusCode: 422,
  problems: ['p'],
  body,
  bodyEncoding,
})

describe('the task and file IDs a kept body names', () => {
  it.each([
    [
      'a 2017 (4.0) callback',
      'legacy-snapshot-success',
      'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd',
      '14508071098244929440',
    ],
    [
      'a v3.0 screenshot callback',
      'v3-snapshot-success',
      'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd',
      '14508071098244929440',
    ],
    [
      'a v3.0 task flow',
      'v3-procedure-snapshot',
      '1256768367-Procedure-475b72xxxcb177t1',
      '5285890784246869930',
    ],
  ])('are read from %s', (_, name, taskId, fileId) => {
    const body = JSON.stringify(fixture(name))
    expect(namedIds(entryOf(body))).toStrictEqual({ taskId, fileId })
    expect(summarise(entryOf(Buffer.from(body).toString('base64'), 'base64'))).toMatchObject({
      taskId,
      fileId,
    })
  })

  it.each([
    ['not JSON', 'not json'],
    ['an array', '[{"data":{"vodTaskId":"t"}}]'],
    ['IDs that are not strings', '{"data":{"vodTaskId":1,"fileId":{"a":1}}}'],
    ['an ID too long for one', JSON.stringify({ data: { vodTaskId: 'x'.repeat(129) } })],
  ])('are none in a body that is %s', (_, body) => {
    expect(namedIds(entryOf(body))).toStrictEqual({})
    expect(summarise(entryOf(body))).not.toHaveProperty('taskId')
  })
})

describe('filterSummaries', () => {
  const at = (id: string, receivedAt: string, ids: Partial<QuarantineSummary> = {}) => ({
    id,
    receivedAt,
    statusCode: 422,
    ...ids,
  })
  const summaries = [
    at('a', '2026-12-01T00:00:00.000Z', { taskId: 'T-1', fileId: 'F-1' }),
    at('b', '2026-12-03T00:00:00.000Z', { taskId: 'T-2', fileId: 'F-1' }),
    at('c', '2026-12-05T00:00:00.000Z'),
  ]
  const ids = (filtered: QuarantineSummary[]) => filtered.map((s) => s.id)

  it('takes every callback without a filter, and those that match every part of one', () => {
    expect(ids(filterSummaries(summaries, {}))).toStrictEqual(['a', 'b', 'c'])
    expect(ids(filterSummaries(summaries, { taskId: 'T-2' }))).toStrictEqual(['b'])
    expect(ids(filterSummaries(summaries, { fileId: 'F-1' }))).toStrictEqual(['a', 'b'])
    expect(ids(filterSummaries(summaries, { since: '2026-12-03T00:00:00.000Z' }))).toStrictEqual([
      'b',
      'c',
    ])
    expect(ids(filterSummaries(summaries, { before: '2026-12-03T00:00:00.000Z' }))).toStrictEqual([
      'a',
    ])
    expect(
      ids(filterSummaries(summaries, { fileId: 'F-1', since: '2026-12-02T00:00:00.000Z' })),
    ).toStrictEqual(['b'])
  })
})

describe('asking before a deletion', () => {
  const summary = { id: 'q-1', receivedAt: '2026-11-24T03:00:00.000Z', statusCode: 400 }

  it('lists what goes, then asks', () => {
    expect(deletionQuestion([summary, { ...summary, id: 'q-2' }, { ...summary, id: 'q-3' }])).toBe(
      [
        'q-1  2026-11-24T03:00:00.000Z  400  -  -  -  -',
        'q-2  2026-11-24T03:00:00.000Z  400  -  -  -  -',
        'q-3  2026-11-24T03:00:00.000Z  400  -  -  -  -',
        'Delete 3 entries? [y/N] ',
      ].join('\n'),
    )
    expect(deletionQuestion([{ ...summary, id: `q${ATTACK}` }])).toBe(
      `q${SHOWN}  2026-11-24T03:00:00.000Z  400  -  -  -  -\nDelete 1 entry? [y/N] `,
    )
  })

  it.each([
    ['y\n', true],
    ['YES\n', true],
    ['n\n', false],
    ['\n', false],
    ['yes please\n', false],
    ['', false],
  ])('reads %j as %s', async (typed, expected) => {
    const input = new PassThrough()
    const output = new PassThrough()
    input.end(typed)

    expect(await confirm('Delete 1 entry? [y/N] ', input, output)).toBe(expected)
    expect(output.read()?.toString()).toBe('Delete 1 entry? [y/N] ')
  })
})

describe('the progress of --replay --all', () => {
  it('says how many of how many are replayed', () => {
    expect(replayProgressLine(40, 120)).toBe('replayed 40 of 120…')
  })
})

// Clear the screen, set the window title, the 8-bit CSI, a right-to-left override, a lone surrogate.
const ATTACK = '\u001b[2J\u001b]0;owned\u0007\u009b\u202e\ud800'
const RAW = ['\u001b', '\u0007', '\u009b', '\u202e', '\ud800']
const SHOWN = '\\u001b[2J\\u001b]0;owned\\u0007\\u009b\\u202e\\ud800'

describe('the text an operator reads', () => {
  it('lists one line per callback, control characters made harmless', () => {
    expect(
      renderQuarantineList([
        {
          id: '20261124T030000000Z-r1',
          receivedAt: '2026-11-24T03:00:00.000Z',
          statusCode: 422,
          eventType: 'CreateSnapshotByTimeOffsetComplete',
          taskId: 'Task-1',
          fileId: 'File-1',
          firstProblem: 'data.x: bad\u001b[31m',
        },
        { id: '20261124T030001000Z-r2', receivedAt: '2026-11-24T03:00:01.000Z', statusCode: 400 },
      ]),
    ).toBe(
      [
        '20261124T030000000Z-r1  2026-11-24T03:00:00.000Z  422  CreateSnapshotByTimeOffsetComplete  Task-1  File-1  data.x: bad\\u001b[31m',
        '20261124T030001000Z-r2  2026-11-24T03:00:01.000Z  400  -  -  -  -',
        '',
        '2 callbacks in the quarantine',
      ].join('\n'),
    )
    expect(renderQuarantineList([])).toBe('The quarantine is empty.')
  })

  it('escapes every received field of the listing, and leaves Chinese text as it is', () => {
    const list = renderQuarantineList([
      {
        id: `r${ATTACK}`,
        receivedAt: `t${ATTACK}`,
        statusCode: 422,
        eventType: `截图${ATTACK}`,
        taskId: `t${ATTACK}`,
        fileId: `f${ATTACK}`,
        firstProblem: `文件名\n${ATTACK}`,
      },
    ])
    for (const char of RAW) expect(list).not.toContain(char)
    expect(list).toBe(
      [
        `r${SHOWN}  t${SHOWN}  422  截图${SHOWN}  t${SHOWN}  f${SHOWN}  文件名\\u000a${SHOWN}`,
        '',
        '1 callback in the quarantine',
      ].join('\n'),
    )
  })

  it('shows one callback whole: its lines kept, its controls, bidi and surrogates escaped', () => {
    const entry: QuarantinedCallback = {
      kind: 'vod-snapshots/quarantined-callback',
      id: '20261124T030000000Z-r1',
      receivedAt: '2026-11-24T03:00:00.000Z',
      requestId: 'r1',
      statusCode: 422,
      problems: [`data.x: ${ATTACK}`, 'data.y: 截图\r'],
      eventType: `E${ATTACK}`,
      body: `{\n\t"fileName": "截图${ATTACK}.mp4"\r\n}`,
      bodyEncoding: 'utf8',
    }
    const shown = renderQuarantinedCallback(entry)
    for (const char of [...RAW, '\r']) expect(shown).not.toContain(char)
    expect(shown).toBe(
      [
        `20261124T030000000Z-r1  2026-11-24T03:00:00.000Z  422  E${SHOWN}  -  -  data.x: ${SHOWN}`,
        'problems:',
        `  data.x: ${SHOWN}`,
        '  data.y: 截图\\u000d',
        'body:',
        `{\n\t"fileName": "截图${SHOWN}.mp4"\\u000d\n}`,
      ].join('\n'),
    )
  })

  it('shows a base64 body decoded, and escaped as a text body is', () => {
    const shown = renderQuarantinedCallback({
      kind: 'vod-snapshots/quarantined-callback',
      id: 'b',
      receivedAt: '2026-11-24T03:00:00.000Z',
      requestId: 'b',
      statusCode: 400,
      problems: [],
      body: Buffer.from('截图\u009b[2J\n').toString('base64'),
      bodyEncoding: 'base64',
    })
    expect(shown).toBe(
      'b  2026-11-24T03:00:00.000Z  400  -  -  -  -\nproblems:\nbody:\n截图\\u009b[2J\n',
    )
  })

  it('says what each replay did', () => {
    expect(describeReplayOutcome({ id: 'a', outcome: 'stored', stored: 3 })).toBe(
      'a: stored 3 result(s); removed from the quarantine',
    )
    expect(describeReplayOutcome({ id: 'a', outcome: 'invalid', problems: ['p', 'q'] })).toBe(
      'a: still invalid, kept: p; q',
    )
    expect(describeReplayOutcome({ id: 'a', outcome: 'not-found' })).toBe(
      'a: not in the quarantine',
    )
  })

  it('escapes what a replay outcome quotes of the callback', () => {
    const lines = [
      describeReplayOutcome({ id: `a${ATTACK}`, outcome: 'ignored', eventType: `截图${ATTACK}` }),
      describeReplayOutcome({ id: 'a', outcome: 'invalid', problems: [`p${ATTACK}`, 'q'] }),
      describeReplayOutcome({ id: 'a', outcome: 'failed', reason: `r${ATTACK}` }),
    ]
    for (const char of RAW) expect(lines.join('\n')).not.toContain(char)
    expect(lines).toStrictEqual([
      `a${SHOWN}: acknowledged as 截图${SHOWN}; removed from the quarantine`,
      `a: still invalid, kept: p${SHOWN}; q`,
      `a: FAILED to store, kept: r${SHOWN}`,
    ])
  })
})
