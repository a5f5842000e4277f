import { describe, expect, it } from 'vitest'
import { UsageError } from '../../lib/operator/usage-error'
import type { DrainReport } from '../../lib/pull/drain'
import { describeReport, exitCodeOf, parsePullArgs } from '../../lib/pull/pull-cli'

const ENV = {
  TENCENTCLOUD_SECRET_ID: 'AKIDexample',
  TENCENTCLOUD_SECRET_KEY: 'example-key',
  VOD_REGION: 'ap-guangzhou',
}
const REPORT: DrainReport = {
  ...{ pulls: 3, pulled: 19, storedEvents: 18, storedResults: 36, ignored: 1, invalid: 0 },
  ...{ confirmed: 19, unconfirmed: 0, stop: 'empty' },
}

describe('parsePullArgs', () => {
  it('drains the real VOD API into the default table unless told otherwise', () => {
    expect(parsePullArgs(['--once'], ENV)).toStrictEqual({
      credentials: { secretId: 'AKIDexample', secretKey: 'example-key' },
      region: 'ap-guangzhou',
      endpoint: undefined,
      subAppId: undefined,
      tableName: 'vod-snapshots',
      dynamodbEndpoint: undefined,
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

  it.each([
    [[], ENV, 'give --once'],
    [['--once', '--queue'], ENV, "Unknown option '--queue'"],
    [['--once', '--endpoint', 'http://x/path'], ENV, 'without a path'],
    [['--once', '--sub-app-id', 'app'], ENV, 'must be a VOD application ID'],
    [['--once'], { ...ENV, TENCENTCLOUD_SECRET_KEY: '' }, 'set TENCENTCLOUD_SECRET_ID and'],
    [['--once'], { ...ENV, VOD_REGION: undefined }, 'set VOD_REGION'],
  ])('refuses %j as a usage error', (args, env, message) => {
    expect(() => parsePullArgs(args, env)).toThrow(UsageError)
    expect(() => parsePullArgs(args, env)).toThrow(message)
  })

  it('answers --help before checking anything else', () => {
    expect(parsePullArgs(['--help'], {})).toBe('help')
  })
})

describe('the closing lines', () => {
  it('count what was pulled, stored, acknowledged and confirmed, and say why it stopped', () => {
    expect(describeReport(REPORT)).toBe(
      '19 event(s) in 3 pull(s): 18 stored (36 results), 1 other type(s) acknowledged, ' +
        '0 invalid (quarantined)\n19 confirmed, 0 left for VOD to deliver again\n' +
        'stopped: the queue is empty',
    )
  })

  it('exit with 0 only when nothing pulled was left unconfirmed and the drain ended normally', () => {
    expect(exitCodeOf(REPORT)).toBe(0)
    expect(exitCodeOf({ ...REPORT, stop: 'deadline' })).toBe(0)
    expect(exitCodeOf({ ...REPORT, unconfirmed: 1 })).toBe(1)
    expect(exitCodeOf({ ...REPORT, stop: 'vod-error' })).toBe(1)
    expect(exitCodeOf({ ...REPORT, stop: 'store-failing' })).toBe(1)
  })
})
