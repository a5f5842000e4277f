import { describe, expect, it } from 'vitest'
import { InvalidCallbackError } from '../../lib/events/parse-callback'
import { terminalProgress } from '../../lib/operator/progress'
import {
  describeFailure,
  parseReplayArgs,
  REPLAY_USAGE,
  replayProgressLine,
} from '../../lib/operator/replay-cli'
import { UsageError } from '../../lib/operator/usage-error'

const DLQ = 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/vod-snapshots-prod-fallback-dlq'

describe('parseReplayArgs', () => {
  it('reads a file replay with the defaults npm start uses', () => {
    expect(parseReplayArgs(['unstored.log'], {})).toStrictEqual({
      source: { kind: 'file', file: 'unstored.log' },
      tableName: 'vod-snapshots',
      endpoint: undefined,
      sqsEndpoint: undefined,
      resultTtlDays: undefined,
      events: { to: 'bus' },
    })
  })

  it('reads the table, endpoint and expiry from the environment the functions read', () => {
    expect(
      parseReplayArgs(['f'], {
        TABLE_NAME: 'vod-snapshots-prod',
        DYNAMODB_ENDPOINT: 'http://e:1',
        RESULT_TTL_DAYS: '30',
      }),
    ).toStrictEqual({
      source: { kind: 'file', file: 'f' },
      tableName: 'vod-snapshots-prod',
      endpoint: 'http://e:1',
      sqsEndpoint: undefined,
      resultTtlDays: 30,
      events: { to: 'bus' },
    })
    expect(
      parseReplayArgs(['f', '--table', 't', '--endpoint', 'http://h:2'], { TABLE_NAME: 'x' }),
    ).toMatchObject({ tableName: 't', endpoint: 'http://h:2' })
  })

  it('drains the dead-letter queue named by FALLBACK_DLQ_URL or --queue-url, in AWS', () => {
    expect(parseReplayArgs(['--dlq'], { FALLBACK_DLQ_URL: DLQ })).toStrictEqual({
      source: { kind: 'dlq', queueUrl: DLQ },
      tableName: 'vod-snapshots',
      endpoint: undefined,
      sqsEndpoint: undefined,
      resultTtlDays: undefined,
      events: { to: 'bus' },
    })
    expect(
      parseReplayArgs(['--dlq', '--queue-url', 'http://q/1/dlq'], { FALLBACK_DLQ_URL: DLQ }),
    ).toMatchObject({ source: { kind: 'dlq', queueUrl: 'http://q/1/dlq' } })
  })

  it("uses the local stack's DynamoDB and dead-letter queue with --local", () => {
    expect(parseReplayArgs(['--dlq', '--local'], { FALLBACK_DLQ_URL: DLQ })).toStrictEqual({
      source: { kind: 'dlq', queueUrl: undefined },
      tableName: 'vod-snapshots',
      endpoint: 'http://127.0.0.1:8000',
      sqsEndpoint: 'http://127.0.0.1:9324',
      resultTtlDays: undefined,
      // Found outside: logged events went to AWS's EventBridge even with --local.
      events: { to: 'none' },
    })
    expect(
      parseReplayArgs(['f', '--local'], { FORWARD_URL: 'http://127.0.0.1:4000/hook' }),
    ).toMatchObject({ events: { to: 'receiver', url: 'http://127.0.0.1:4000/hook' } })
    expect(
      parseReplayArgs(['--dlq', '--local'], { DYNAMODB_PORT: '8100', SQS_PORT: '9400' }),
    ).toMatchObject({ endpoint: 'http://127.0.0.1:8100', sqsEndpoint: 'http://127.0.0.1:9400' })
    expect(parseReplayArgs(['f', '--local'], { DYNAMODB_ENDPOINT: 'http://e:1' })).toMatchObject({
      endpoint: 'http://e:1',
    })
  })

  it('refuses a FORWARD_URL with --local that the function would refuse, as a usage error', () => {
    // Found in review: it was used as it stood and failed later, once per event.
    expect(() =>
      parseReplayArgs(['f', '--local'], { FORWARD_URL: 'ftp://not-a-receiver' }),
    ).toThrow(
      new UsageError('Invalid configuration: FORWARD_URL: FORWARD_URL must be an http(s) URL'),
    )
    // Not a URL at all fails two checks with one message: said once.
    expect(() => parseReplayArgs(['f', '--local'], { FORWARD_URL: 'notaurl' })).toThrow(
      new UsageError('Invalid configuration: FORWARD_URL: FORWARD_URL must be an http(s) URL'),
    )
  })

  it('answers help to --help and -h, whatever else is given', () => {
    expect(parseReplayArgs(['--help'], {})).toBe('help')
    expect(parseReplayArgs(['-h', '--dlq'], {})).toBe('help')
  })

  it.each([
    ['nothing', [], {}, 'give the file to replay, or --dlq'],
    ['two files', ['a', 'b'], {}, 'one file at a time, not also b'],
    ['a file with --dlq', ['a', '--dlq'], {}, '--dlq replays the queue, not also a'],
    ['--dlq without a queue', ['--dlq'], {}, '--dlq needs the queue: set FALLBACK_DLQ_URL'],
    ['--queue-url without --dlq', ['a', '--queue-url', 'http://q'], {}, 'goes with --dlq'],
    ['a queue URL that is no URL', ['--dlq', '--queue-url', 'q'], {}, 'not a URL: q'],
    ['an endpoint that is no URL', ['a', '--endpoint', 'localhost'], {}, 'not a URL: localhost'],
    ['an unknown option', ['a', '--force'], {}, "Unknown option '--force'"],
    ['a bad RESULT_TTL_DAYS', ['a'], { RESULT_TTL_DAYS: '1.5' }, 'whole number of days'],
  ])('refuses %s with a usage error', (_, argv, env, message) => {
    expect(() => parseReplayArgs(argv, env)).toThrow(UsageError)
    expect(() => parseReplayArgs(argv, env)).toThrow(message)
  })
})

describe('describeFailure', () => {
  // Clear the screen, set the window title, the 8-bit CSI, a right-to-left override, a lone
  // surrogate: what a problem quoting a received task ID could hold.
  const ATTACK = '\u001b[2J\u001b]0;owned\u0007\u009b\u202e\ud800'
  const SHOWN = '\\u001b[2J\\u001b]0;owned\\u0007\\u009b\\u202e\\ud800'

  it('says what went wrong and why, on one line, with what was received escaped', () => {
    const error = new Error('1 result(s) not stored', {
      cause: new InvalidCallbackError([`data.vodTaskId 截图${ATTACK}`, 'line\nbreak']),
    })
    const line = describeFailure(error)
    for (const char of ['\u001b', '\u0007', '\u009b', '\u202e', '\ud800', '\n']) {
      expect(line).not.toContain(char)
    }
    expect(line).toBe(
      `1 result(s) not stored: Invalid callback: data.vodTaskId 截图${SHOWN}; line\\u000abreak`,
    )
  })

  it('gives an error without a cause as its message', () => {
    expect(describeFailure(new Error('throttled'))).toBe('throttled')
  })
})

describe('REPLAY_USAGE', () => {
  it('says when a run exits 1', () => {
    expect(REPLAY_USAGE).toContain(
      [
        '  0 everything replayed, and with --dlq no message in flight',
        '  1 the file held nothing to replay, or a damaged marker line; something could not be read or',
        '    written (a missing table is named); with --dlq, a message failed or is still in flight',
        '  2 usage error',
      ].join('\n'),
    )
  })
})

describe('replay progress', () => {
  /** Replays `count` entries, a quarter of a second each, with stderr a terminal or not. */
  function replayWithStderr(isTTY: boolean, count: number, total?: number) {
    const written: string[] = []
    let ms = 0
    const show = terminalProgress(
      { isTTY, write: (text: string) => written.push(text) },
      { now: () => ms },
    )
    for (let done = 1; done <= count; done++) {
      ms += 250
      show(() => replayProgressLine(done, total))
    }
    return written
  }

  it('says how many entries of the file are replayed, once a second, on a terminal', () => {
    expect(replayWithStderr(true, 10, 120)).toStrictEqual([
      'replayed 4 of 120…\n',
      'replayed 8 of 120…\n',
    ])
  })

  it("counts the dead-letter queue's messages, whose number is not known beforehand", () => {
    expect(replayWithStderr(true, 4)).toStrictEqual(['replayed 4 message(s) so far…\n'])
  })

  it('prints no progress when stderr is not a terminal', () => {
    expect(replayWithStderr(false, 10, 120)).toStrictEqual([])
  })
})
