import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { loadPullConfig, readTencentCredentials } from '../../lib/pull/pull-config'
import { ConfigError } from '../../lib/runtime/config'

const PARAMETER = '/vod-snapshots/prod/tencent-api-key'
const ENV = {
  TABLE_NAME: 'vod-snapshots-prod',
  VOD_REGION: 'ap-guangzhou',
  TENCENT_SECRET_PARAMETER: PARAMETER,
}
const ssm = mockClient(SSMClient)
const parameter = (Value: string) => ssm.on(GetParameterCommand).resolves({ Parameter: { Value } })

beforeEach(() => ssm.reset())

describe('loadPullConfig', () => {
  it('reads the required settings and leaves the optional ones undefined', () => {
    expect(loadPullConfig(ENV)).toStrictEqual({
      tableName: 'vod-snapshots-prod',
      dynamodbEndpoint: undefined,
      resultTtlDays: undefined,
      vodRegion: 'ap-guangzhou',
      vodEndpoint: undefined,
      subAppId: undefined,
      secretParameter: PARAMETER,
      quarantineBucket: undefined,
    })
  })

  it('reads the result expiry as the other functions do', () => {
    expect(loadPullConfig({ ...ENV, RESULT_TTL_DAYS: '90' }).resultTtlDays).toBe(90)
  })

  it('reads the VOD application ID as a number and an endpoint as given', () => {
    const env = {
      ...ENV,
      VOD_SUBAPP_ID: '1500000001',
      VOD_ENDPOINT: 'vod.intl.tencentcloudapi.com',
    }
    expect(loadPullConfig(env)).toMatchObject({
      subAppId: 1500000001,
      vodEndpoint: 'vod.intl.tencentcloudapi.com',
    })
  })

  it('refuses to start naming every setting that is missing or wrong', () => {
    const env = { VOD_SUBAPP_ID: 'app-1', VOD_ENDPOINT: 'http://127.0.0.1:9/path' }
    expect(() => loadPullConfig(env)).toThrow(ConfigError)
    expect(() => loadPullConfig(env)).toThrow(
      'Invalid configuration: TABLE_NAME: is required; VOD_REGION: is required; ' +
        'VOD_ENDPOINT: VOD_ENDPOINT must be a host or an http(s) URL without a path; ' +
        'VOD_SUBAPP_ID: VOD_SUBAPP_ID must be a VOD application ID; ' +
        'TENCENT_SECRET_PARAMETER: is required',
    )
  })
})

describe('readTencentCredentials', () => {
  it('reads the SecureString parameter decrypted', async () => {
    parameter('{"secretId":"AKIDexample","secretKey":"example-key"}')

    const credentials = await readTencentCredentials(new SSMClient({}), PARAMETER)

    expect(credentials).toStrictEqual({ secretId: 'AKIDexample', secretKey: 'example-key' })
    expect(ssm.commandCalls(GetParameterCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Name: PARAMETER, WithDecryption: true },
    ])
  })

  it.each([
    ['AKIDexample example-key', 'must hold JSON {"secretId":"…","secretKey":"…"}'],
    ['"example-key"', 'value: must be a JSON object'],
    ['{"secretId":"AKIDexample","secretKey":""}', 'secretKey: must not be empty'],
    ['{"secretId":42,"key":"example-key"}', 'secretId: must be a string'],
  ])('refuses %s, naming the problem but never the value', async (value, problem) => {
    parameter(value)

    const reading = readTencentCredentials(new SSMClient({}), PARAMETER)

    await expect(reading).rejects.toThrow(ConfigError)
    await expect(reading).rejects.toThrow(problem)
    await expect(reading).rejects.not.toThrow(/example-key|AKIDexample|42/)
  })
})
