import { describe, expect, it } from 'vitest'
import { readLocalSettings } from '../../lib/local/check-local-config'

const TOKEN = 'local-settings-token-0123456789'

describe('readLocalSettings (npm start)', () => {
  it("fills in npm start's defaults, an empty setting included", () => {
    expect(readLocalSettings({ PORT: '', TABLE_NAME: '', CALLBACK_TOKEN: TOKEN })).toStrictEqual({
      port: 3000,
      dynamodbPort: 8000,
      sqsPort: 9324,
      vodPort: 9400,
      lambdaPort: undefined,
      host: '127.0.0.1',
      tableName: 'vod-snapshots',
      token: TOKEN,
      signKey: undefined,
      quarantineBucket: 'vod-snapshots-quarantine',
      forwardUrl: undefined,
    })
  })

  it('reads every setting, and the first of several sign keys', () => {
    const env = {
      ...{ PORT: '3711', DYNAMODB_PORT: '8711', SQS_PORT: '9711', VOD_PORT: '9712' },
      ...{ LAMBDA_PORT: '3712', HOST: 'localhost', TABLE_NAME: 'results.dev-1' },
      ...{ CALLBACK_TOKEN: TOKEN, CALLBACK_SIGN_KEY: ' FirstKey0123456789 , NextKey01234567890' },
      ...{ QUARANTINE_BUCKET: 'kept-dev', FORWARD_URL: 'http://127.0.0.1:9999/hook' },
    }
    expect(readLocalSettings(env)).toMatchObject({
      ...{ port: 3711, dynamodbPort: 8711, sqsPort: 9711, vodPort: 9712, lambdaPort: 3712 },
      ...{ host: 'localhost', tableName: 'results.dev-1', signKey: 'FirstKey0123456789' },
      ...{ quarantineBucket: 'kept-dev', forwardUrl: 'http://127.0.0.1:9999/hook' },
    })
  })

  it.each([
    ['a port that is not a number', { PORT: 'abc' }, 'PORT: must be a port number, 1 to 65535'],
    ['a port past 65535', { DYNAMODB_PORT: '99999' }, 'DYNAMODB_PORT: must be a port number'],
    ['a negative port', { SQS_PORT: '-1' }, 'SQS_PORT: must be a port number'],
    ['a fractional port', { VOD_PORT: '9400.5' }, 'VOD_PORT: must be a port number'],
    ['port 0', { LAMBDA_PORT: '0' }, 'LAMBDA_PORT: must be a port number'],
    ['two settings on one port', { SQS_PORT: '8000' }, 'must be different ports'],
    ['a mistyped IP address', { HOST: '999.1.1.1' }, 'HOST must be an IPv4 address or a host name'],
    ['an IPv6 address', { HOST: '::1' }, 'HOST must be an IPv4 address or a host name'],
    [
      'a table DynamoDB would refuse',
      { TABLE_NAME: 'bad table!' },
      'TABLE_NAME must be a DynamoDB table name',
    ],
    [
      'a FORWARD_URL that is not http(s)',
      { FORWARD_URL: 'ftp://x' },
      'FORWARD_URL must be an http(s) URL',
    ],
    [
      'a bucket S3 would refuse',
      { QUARANTINE_BUCKET: 'Not_A_Bucket' },
      'must be an S3 bucket name',
    ],
  ])('refuses %s, naming the rule and never the value', (_, env, problem) => {
    const read = () => readLocalSettings({ CALLBACK_TOKEN: TOKEN, ...env })
    expect(read).toThrow(problem)
    expect(read).not.toThrow(Object.values(env)[0] as string)
  })
})
