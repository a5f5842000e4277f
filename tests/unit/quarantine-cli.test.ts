import { describe, expect, it } from 'vitest'
import type { QuarantinedCallback } from '../../lib/durability/quarantine'
import {
  describeReplayOutcome,
  parseQuarantineArgs,
  renderQuarantinedCallback,
  renderQuarantineList,
} from '../../lib/operator/quarantine-cli'
import { UsageError } from '../../lib/operator/usage-error'

const DEFAULTS = {
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
      json: false,
      bucket: 'b-opt',
      s3Endpoint: 'http://s3:1',
      tableName: 't',
      dynamodbEndpoint: 'http://ddb:2',
      resultTtlDays: undefined,
    })
  })

  it.each([
    [[], 'give exactly one of --list, --show, --replay and --import'],
    [['--list', '--show', 'x'], 'give exactly one of --list, --show, --replay and --import'],
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
          firstProblem: 'data.x: bad\u001b[31m',
        },
        { id: '20261124T030001000Z-r2', receivedAt: '2026-11-24T03:00:01.000Z', statusCode: 400 },
      ]),
    ).toBe(
      [
        '20261124T030000000Z-r1  2026-11-24T03:00:00.000Z  422  CreateSnapshotByTimeOffsetComplete  data.x: bad\\u001b[31m',
        '20261124T030001000Z-r2  2026-11-24T03:00:01.000Z  400  -  -',
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
        firstProblem: `文件名\n${ATTACK}`,
      },
    ])
    for (const char of RAW) expect(list).not.toContain(char)
    expect(list).toBe(
      [
        `r${SHOWN}  t${SHOWN}  422  截图${SHOWN}  文件名\\u000a${SHOWN}`,
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
        `20261124T030000000Z-r1  2026-11-24T03:00:00.000Z  422  E${SHOWN}  data.x: ${SHOWN}`,
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
    expect(shown).toBe('b  2026-11-24T03:00:00.000Z  400  -  -\nproblems:\nbody:\n截图\\u009b[2J\n')
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
