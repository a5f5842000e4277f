import { afterEach, describe, expect, it, vi } from 'vitest'
import { ConfigError, loadConfig } from '../../lib/runtime/config'

const TOKEN = 'a-long-enough-token-42'

describe('loadConfig', () => {
  it('reads the table, the tokens and the endpoint', () => {
    expect(
      loadConfig({
        TABLE_NAME: 'vod-snapshots',
        CALLBACK_TOKEN: ` ${TOKEN} , second-token-0123456789,`,
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
        FALLBACK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/fallback',
        SQS_ENDPOINT: 'http://127.0.0.1:9324',
        RESULT_TTL_DAYS: '30',
      }),
    ).toStrictEqual({
      resultTtlDays: 30,
      tableName: 'vod-snapshots',
      quarantineBucket: undefined,
      s3Endpoint: undefined,
      callbackTokens: [TOKEN, 'second-token-0123456789'],
      callbackSignKeys: [],
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      fallbackQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/fallback',
      sqsEndpoint: 'http://127.0.0.1:9324',
    })
  })

  it('keeps results for ever when RESULT_TTL_DAYS is empty, 0 or absent', () => {
    for (const RESULT_TTL_DAYS of ['', '0', undefined]) {
      expect(
        loadConfig({ TABLE_NAME: 'results', CALLBACK_TOKEN: TOKEN, RESULT_TTL_DAYS }).resultTtlDays,
      ).toBeUndefined()
    }
  })

  it('uses the real DynamoDB and SQS when the endpoints are empty or absent', () => {
    for (const endpoint of ['', undefined]) {
      expect(
        loadConfig({
          TABLE_NAME: 'results',
          CALLBACK_TOKEN: TOKEN,
          DYNAMODB_ENDPOINT: endpoint,
          SQS_ENDPOINT: endpoint,
        }),
      ).toMatchObject({ dynamodbEndpoint: undefined, sqsEndpoint: undefined })
    }
  })

  it.each([
    ['no token', { TABLE_NAME: 'results' }, 'CALLBACK_TOKEN: is required'],
    [
      'an empty token',
      { TABLE_NAME: 'results', CALLBACK_TOKEN: ' , ' },
      'CALLBACK_TOKEN must hold at least one token',
    ],
    [
      'a short token',
      { TABLE_NAME: 'results', CALLBACK_TOKEN: `${TOKEN},short` },
      'at least 16 characters',
    ],
    ['no table', { CALLBACK_TOKEN: TOKEN }, 'TABLE_NAME: is required'],
    [
      'a bad endpoint',
      { TABLE_NAME: 'results', CALLBACK_TOKEN: TOKEN, DYNAMODB_ENDPOINT: 'nope' },
      'DYNAMODB_ENDPOINT',
    ],
    [
      'a bad SQS endpoint',
      { TABLE_NAME: 'results', CALLBACK_TOKEN: TOKEN, SQS_ENDPOINT: 'nope' },
      'SQS_ENDPOINT',
    ],
  ])('refuses %s with a message that names the setting, never its value', (_, env, expected) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(expected)
    expect(() => loadConfig(env)).not.toThrow(/short|a-long-enough/)
  })
})

describe('the deployed function', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
    vi.resetModules()
  })

  it('refuses to start without a token rather than accept every callback', async () => {
    vi.stubEnv('CALLBACK_TOKEN', undefined)
    vi.resetModules()
    // A fresh module graph: the error is a ConfigError of that graph, so match by name.
    await expect(import('../../handlers/callback')).rejects.toMatchObject({
      name: 'ConfigError',
      message: 'Invalid configuration: CALLBACK_TOKEN: is required',
    })
  })

  it('starts with a valid configuration', async () => {
    vi.stubEnv('CALLBACK_TOKEN', TOKEN)
    vi.resetModules()
    const module = await import('../../handlers/callback')
    expect(module.handler).toBeTypeOf('function')
  })
})

describe('CALLBACK_SIGN_KEY', () => {
  const load = (CALLBACK_SIGN_KEY?: string) =>
    loadConfig({ TABLE_NAME: 'vod-snapshots', CALLBACK_TOKEN: TOKEN, CALLBACK_SIGN_KEY })

  it('is off when unset or empty', () => {
    expect(load().callbackSignKeys).toStrictEqual([])
    expect(load('').callbackSignKeys).toStrictEqual([])
  })

  it('reads several comma-separated keys, for rotation', () => {
    expect(load(' KeyOne1234567890 ,KeyTwo2345678901,').callbackSignKeys).toStrictEqual([
      'KeyOne1234567890',
      'KeyTwo2345678901',
    ])
  })

  it.each([
    ['longer than 32 characters', 'k'.repeat(33)],
    ['other than letters and digits', 'key-with-a-dash-in-it'],
  ])('refuses a key %s, naming the rule and not the key', (_, key) => {
    expect(() => load(key)).toThrow(
      new ConfigError(
        'Invalid configuration: CALLBACK_SIGN_KEY: every CALLBACK_SIGN_KEY must be 1 to 32 letters and digits, as VOD requires',
      ),
    )
  })

  it('refuses a key shorter than 16 characters, naming the rule', () => {
    expect(() => load('Short1')).toThrow(
      new ConfigError(
        'Invalid configuration: CALLBACK_SIGN_KEY: every CALLBACK_SIGN_KEY must be at least 16 characters',
      ),
    )
  })
})
