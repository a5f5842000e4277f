import { describe, expect, it } from 'vitest'
import { UsageError } from '../../lib/operator/usage-error'
import type { DrainReport } from '../../lib/pull/drain'
import {
  describeReport,
  exitCodeOf,
  PULL_USAGE,
  parsePullArgs,
  problemsOf,
} from '../../lib/pull/pull-cli'

const ENV = {
  TENCENTCLOUD_SECRET_ID: 'AKIDexample',
  TENCENTCLOUD_SECRET_KEY: 'example-key',
  VOD_REGION: 'ap-guangzhou',
}
const REPORT: DrainReport = {
  ...{ pulls: 3, pulled: 19, storedEvents: 18, storedResults: 36, ignored: 1, invalid: 0 },
  ...{ confirmed: 19, unconfirmed: 0, unpassed: 0, unkept: 0, stop: 'empty' },
}

describe('parsePullArgs', () => {
  it('drains the real VOD API into the default table, with nowhere to pass events on, unless told otherwise', () => {
    expect(parsePullArgs(['--once'], ENV)).toStrictEqual({
      credentials: { secretId: 'AKIDexample', secretKey: 'example-key' },
      region: 'ap-guangzhou',
      endpoint: undefined,
      subAppId: undefined,
      tableName: 'vod-snapshots',
      dynamodbEndpoint: undefined,
      resultTtlDays: undefined,
      busName: undefined,
      forwardUrl: undefined,
      forwardAll: false,
      quarantineBucket: undefined,
      s3Endpoint: undefined,
    })
  })

  it('takes the endpoint and application from the command line before the environment', () => {
    const env = { ...ENV, VOD_ENDPOINT: 'vod.intl.tencentcloudapi.com', VOD_SUBAPP_ID: '1' }
    const args = ['--once', '--endpoint', 'http://127.0.0.1:9000', '--sub-app-id', '1500000001']
    expect(parsePullArgs(args, env)).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      subAppId: 1500000001,
    })
    expect(parsePullArgs(['--once'], env)).toMatchObject({
      endpoint: 'vod.intl.tencentcloudapi.com',
      subAppId: 1,
    })
  })

  it("reads the pull function's variables: the bus, forwardAll, the quarantine and the expiry", () => {
    const env = {
      ...ENV,
      EVENT_BUS_NAME: 'vod-snapshots-prod',
      FORWARD_ALL: 'true',
      QUARANTINE_BUCKET: 'vod-snapshots-prod-quarantine',
      RESULT_TTL_DAYS: '30',
    }
    expect(parsePullArgs(['--once'], env)).toMatchObject({
      busName: 'vod-snapshots-prod',
      forwardUrl: undefined,
      forwardAll: true,
      quarantineBucket: 'vod-snapshots-prod-quarantine',
      s3Endpoint: undefined,
      resultTtlDays: 30,
    })
  })

  it('takes --bus, --quarantine-bucket and --result-ttl-days before those variables', () => {
    const env = {
      ...ENV,
      EVENT_BUS_NAME: 'from-env',
      QUARANTINE_BUCKET: 'from-env',
      RESULT_TTL_DAYS: '30',
    }
    const args = ['--once', '--bus', 'bus-a', '--quarantine-bucket', 'bucket-a']
    expect(parsePullArgs([...args, '--result-ttl-days', '7'], env)).toMatchObject({
      busName: 'bus-a',
      quarantineBucket: 'bucket-a',
      resultTtlDays: 7,
    })
    // 0 keeps results for ever, as RESULT_TTL_DAYS=0 does.
    expect(parsePullArgs([...args, '--result-ttl-days', '0'], env)).toMatchObject({
      resultTtlDays: undefined,
    })
  })

  it("--local: the npm start stack's DynamoDB, S3 and quarantine bucket, and FORWARD_URL", () => {
    const env = {
      ...ENV,
      DYNAMODB_PORT: '8100',
      SQS_PORT: '9400',
      FORWARD_URL: 'http://127.0.0.1:4000/vod-events',
    }
    expect(parsePullArgs(['--once', '--local'], env)).toMatchObject({
      dynamodbEndpoint: 'http://127.0.0.1:8100',
      s3Endpoint: 'http://127.0.0.1:9400',
      quarantineBucket: 'vod-snapshots-quarantine',
      forwardUrl: 'http://127.0.0.1:4000/vod-events',
      busName: undefined,
      endpoint: 'http://127.0.0.1:9400',
    })
    expect(parsePullArgs(['--once', '--local'], ENV)).toMatchObject({
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      s3Endpoint: 'http://127.0.0.1:9324',
    })
    const named = {
      ...env,
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8200',
      S3_ENDPOINT: 'http://127.0.0.1:9500',
      QUARANTINE_BUCKET: 'my-bucket',
    }
    expect(parsePullArgs(['--once', '--local'], named)).toMatchObject({
      dynamodbEndpoint: 'http://127.0.0.1:8200',
      s3Endpoint: 'http://127.0.0.1:9500',
      quarantineBucket: 'my-bucket',
    })
  })

  it("--local with nothing set: the stack's VOD stand-in, its key and ap-guangzhou", () => {
    expect(parsePullArgs(['--once', '--local'], { VOD_PORT: '9401' })).toMatchObject({
      credentials: { secretId: 'AKIDfakeVodSecretId', secretKey: 'fakeVodSecretKey' },
      region: 'ap-guangzhou',
      endpoint: 'http://127.0.0.1:9401',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
    })
    expect(parsePullArgs(['--once', '--local'], {})).toMatchObject({
      endpoint: 'http://127.0.0.1:9400',
    })
  })

  it('--local: --endpoint, VOD_ENDPOINT, the key and VOD_REGION set still come first', () => {
    const env = { ...ENV, VOD_REGION: 'ap-singapore', VOD_ENDPOINT: 'http://127.0.0.1:9500' }
    expect(parsePullArgs(['--once', '--local'], env)).toMatchObject({
      credentials: { secretId: 'AKIDexample', secretKey: 'example-key' },
      region: 'ap-singapore',
      endpoint: 'http://127.0.0.1:9500',
    })
    const args = ['--once', '--local', '--endpoint', 'vod.tencentcloudapi.com']
    expect(parsePullArgs(args, { ...env, VOD_PORT: '9401' })).toMatchObject({
      endpoint: 'vod.tencentcloudapi.com',
    })
  })

  it.each([
    [[], ENV, 'give --once'],
    [['--once', '--queue'], ENV, "Unknown option '--queue'"],
    [['--once', '--endpoint', 'http://x/path'], ENV, 'without a path'],
    [['--once', '--sub-app-id', 'app'], ENV, 'must be a VOD application ID'],
    [['--once'], { ...ENV, TENCENTCLOUD_SECRET_KEY: '' }, 'set TENCENTCLOUD_SECRET_ID and'],
    [['--once'], { ...ENV, VOD_REGION: undefined }, 'set VOD_REGION'],
    [['--once'], {}, 'set TENCENTCLOUD_SECRET_ID and'],
    // Half a key is a mistake, not a wish for the stand-in's.
    [['--once', '--local'], { TENCENTCLOUD_SECRET_ID: 'AKIDx' }, 'set TENCENTCLOUD_SECRET_ID and'],
    [['--once', '--local'], { VOD_PORT: 'x' }, 'VOD_PORT'],
    [['--once', '--result-ttl-days', '1.5'], ENV, '--result-ttl-days 1.5: RESULT_TTL_DAYS must'],
    [
      ['--once', '--result-ttl-days', 'abc'],
      ENV,
      '--result-ttl-days abc: RESULT_TTL_DAYS must be a whole number of days',
    ],
    [['--once', '--result-ttl-days=-1'], ENV, 'must not be negative'],
    [
      ['--once'],
      { ...ENV, RESULT_TTL_DAYS: 'x' },
      'RESULT_TTL_DAYS must be a whole number of days',
    ],
    [['--once', '--bus'], ENV, "Option '--bus <value>' argument missing"],
    [['--once'], { ...ENV, FORWARD_ALL: 'yes' }, 'FORWARD_ALL must be true or false'],
    [['--once'], { ...ENV, FORWARD_URL: 'ftp://x' }, 'Invalid configuration: FORWARD_URL'],
    [['--once', '--local'], { ...ENV, S3_ENDPOINT: 'not a url' }, 'the S3 endpoint is not a URL'],
  ])('refuses %j as a usage error', (args, env, message) => {
    expect(() => parsePullArgs(args, env)).toThrow(UsageError)
    expect(() => parsePullArgs(args, env)).toThrow(message)
  })

  it('answers --help before checking anything else', () => {
    expect(parsePullArgs(['--help'], {})).toBe('help')
  })

  it('documents every flag and variable it reads', () => {
    for (const word of [
      '--bus <name>',
      '--quarantine-bucket <name>',
      '--result-ttl-days <n>',
      '--local',
      'EVENT_BUS_NAME',
      'QUARANTINE_BUCKET',
      'RESULT_TTL_DAYS',
      'FORWARD_ALL',
      'FORWARD_URL',
      '$DYNAMODB_PORT',
      '$SQS_PORT',
      '$VOD_PORT',
    ]) {
      expect(PULL_USAGE).toContain(word)
    }
  })
})

describe('the closing lines', () => {
  it('count what was pulled, stored, passed on and confirmed, and say why it stopped', () => {
    expect(describeReport(REPORT)).toBe(
      '19 event(s) in 3 pull(s): 18 stored (36 results), 1 other type(s) passed on, ' +
        '0 invalid (quarantined)\n19 confirmed, 0 left for VOD to deliver again\n' +
        'stopped: the queue is empty',
    )
  })

  it('name nothing on stderr when every event pulled was confirmed', () => {
    expect(problemsOf(REPORT)).toStrictEqual([])
    expect(problemsOf({ ...REPORT, stop: 'deadline' })).toStrictEqual([])
  })

  it("say why events stayed in VOD's queue: no bus, no quarantine, not stored", () => {
    const report: DrainReport = {
      ...REPORT,
      ...{ ignored: 0, confirmed: 13, unconfirmed: 6, unpassed: 3, unkept: 2 },
    }
    expect(problemsOf(report)).toStrictEqual([
      "3 events left in VOD's queue: nothing to pass them on to (set EVENT_BUS_NAME or --bus; with --local, FORWARD_URL)",
      "2 invalid events left in VOD's queue: no quarantine to keep them in " +
        '(set QUARANTINE_BUCKET or --quarantine-bucket)',
      "1 event left in VOD's queue, not stored or not confirmed (see above): VOD delivers them again",
    ])
    expect(problemsOf({ ...REPORT, unconfirmed: 1, unpassed: 1 })).toStrictEqual([
      "1 event left in VOD's queue: nothing to pass them on to (set EVENT_BUS_NAME or --bus; with --local, FORWARD_URL)",
    ])
    expect(problemsOf({ ...REPORT, stop: 'vod-error' })).toStrictEqual([
      'stopped early: a VOD API call failed (see above)',
    ])
  })

  it('exit with 0 only when every event pulled was confirmed and the drain ended normally', () => {
    expect(exitCodeOf(REPORT)).toBe(0)
    expect(exitCodeOf({ ...REPORT, stop: 'deadline' })).toBe(0)
    expect(exitCodeOf({ ...REPORT, unconfirmed: 1 })).toBe(1)
    expect(exitCodeOf({ ...REPORT, unconfirmed: 3, unpassed: 3 })).toBe(1)
    expect(exitCodeOf({ ...REPORT, unconfirmed: 1, unkept: 1 })).toBe(1)
    expect(exitCodeOf({ ...REPORT, stop: 'vod-error' })).toBe(1)
    expect(exitCodeOf({ ...REPORT, stop: 'store-failing' })).toBe(1)
  })
})
