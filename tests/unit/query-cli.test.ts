import { describe, expect, it } from 'vitest'
import { describeQueryError, parseQueryArgs } from '../../lib/operator/query-cli'
import { UsageError } from '../../lib/operator/usage-error'
import { operatorClientConfig } from '../../lib/runtime/dynamodb-client'

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
