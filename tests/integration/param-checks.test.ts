import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { checkParams, PARAM_RULES, resolvedParams } from '../../lib/deploy/check-params.mjs'
import { loadForwardConfig } from '../../lib/forward/forward-config'
import { loadPullConfig } from '../../lib/pull/pull-config'
import { loadReconcileWindow } from '../../lib/reconcile/scheduled-reconcile'
import { loadConfig, loadRedriveConfig } from '../../lib/runtime/config'
import { PackageFailure, packageService } from '../support/service-copy'

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SECRET_SIGN_KEY = 'short-secret'

/** Runs `serverless package --stage ci` with these --param options, as a deployer would. */
async function packageWith(params: string[], output: string) {
  try {
    await packageService(['--stage', 'ci', ...params.map((param) => `--param=${param}`)], output)
    return { code: 0, output: '' }
  } catch (error) {
    if (!(error instanceof PackageFailure)) throw error
    return { code: error.code, output: error.output }
  }
}

const accepts = (name: string, value: string) => checkParams({ [name]: value }).length === 0

/** Whether the function that reads the same value starts with it. */
const startsWith = (load: () => unknown) => {
  try {
    load()
    return true
  } catch {
    return false
  }
}

const TOKEN = 'unit-test-token-0123456789'
const pull = (env: Record<string, string>) => () =>
  loadPullConfig({
    TABLE_NAME: 'vod-snapshots-ci',
    VOD_REGION: 'ap-guangzhou',
    TENCENT_SECRET_PARAMETER: '/vod-snapshots/ci/tencent-api-key',
    ...env,
  })

/** Each param the functions read, how the function reads it, and values to try on both. */
const COUNTERPARTS: [string, (value: string) => () => unknown, string[]][] = [
  ['tableName', (value) => pull({ TABLE_NAME: value }), ['vod-snapshots-ci', 'a b', '', 'ab']],
  [
    'resultTtlDays',
    (value) => () => loadRedriveConfig({ TABLE_NAME: 'results', RESULT_TTL_DAYS: value }),
    // Found outside: a number past what S3 and DynamoDB take passed the check.
    ['0', '30', '-1', '1.5', 'abc', '00', '1e3', '', '36500', '36501', '99999999999999999999999'],
  ],
  [
    'dynamodbEndpoint',
    (value) => () => loadRedriveConfig({ TABLE_NAME: 'results', DYNAMODB_ENDPOINT: value }),
    ['', 'http://127.0.0.1:8000', 'https://dynamodb.example', 'not a url', 'ftp://x'],
  ],
  [
    'sqsEndpoint',
    (value) => () =>
      loadConfig({ TABLE_NAME: 'results', CALLBACK_TOKEN: TOKEN, SQS_ENDPOINT: value }),
    ['', 'http://127.0.0.1:9324', 'localhost:9324', 'not a url'],
  ],
  [
    'callbackToken',
    (value) => () => loadConfig({ TABLE_NAME: 'results', CALLBACK_TOKEN: value }),
    ['{{resolve:ssm:/vod-snapshots/ci/callback-token}}', TOKEN, `${TOKEN},short`, '', ' , '],
  ],
  [
    'callbackSignKey',
    (value) => () =>
      loadConfig({ TABLE_NAME: 'results', CALLBACK_TOKEN: TOKEN, CALLBACK_SIGN_KEY: value }),
    ['', 'SignKey0123456789', 'a,b', 'SignKey0123456789,OtherKey01234567', 'sign-key-0123456789'],
  ],
  [
    'forwardUrl',
    (value) => () => loadForwardConfig({ FORWARD_URL: value }),
    [
      '',
      'https://receiver.example/vod?key=abc',
      'http://receiver.example/',
      'not a url',
      'ftp://x',
    ],
  ],
  [
    'forwardAll',
    (value) => () => loadForwardConfig({ FORWARD_ALL: value }),
    ['true', 'false', 'yes', 'TRUE', '1'],
  ],
  ['vodRegion', (value) => pull({ VOD_REGION: value }), ['ap-guangzhou', 'ap-shanghai-fsi', '']],
  [
    'vodSubAppId',
    (value) => pull({ VOD_SUBAPP_ID: value }),
    ['', '1500000001', '0', '01', 'abc', '-1', '12345678901234567'],
  ],
  [
    'vodEndpoint',
    (value) => pull({ VOD_ENDPOINT: value }),
    ['', 'vod.intl.tencentcloudapi.com', 'http://127.0.0.1:9000', 'https://h/path', 'h?x=1', 'a b'],
  ],
  [
    'tencentSecretParameter',
    (value) => pull({ TENCENT_SECRET_PARAMETER: value }),
    ['/vod-snapshots/ci/tencent-api-key', 'no-slash', '', '/a b'],
  ],
  ...(['reconcileWindowMinutes', 'reconcileLagMinutes'] as const).map(
    (name): [string, (value: string) => () => unknown, string[]] => [
      name,
      (value) => () =>
        loadReconcileWindow({
          [name === 'reconcileWindowMinutes'
            ? 'RECONCILE_WINDOW_MINUTES'
            : 'RECONCILE_LAG_MINUTES']: value,
        }),
      ['1', '60', '1440', '1441', '0', '-5', '1.5', 'abc', '060'],
    ],
  ),
]

describe('checkParams', () => {
  it('has a rule for every param of serverless.yml, and no other', async () => {
    const yml = parse(await readFile(join(REPO_ROOT, 'serverless.yml'), 'utf8'))
    expect(Object.keys(PARAM_RULES).sort()).toStrictEqual(Object.keys(yml.params.default).sort())
  })

  it('names each bad param and its rule, never its value', () => {
    const problems = checkParams({
      forwardUrl: 'not a url',
      quarantineExpiryDays: 'abc',
      signKeyParameter: 'no-leading-slash',
      callbackSignKey: SECRET_SIGN_KEY,
      callbackToken: 'too-short',
      tencentSecretParameter: 'vod-snapshots/ci/key',
      resultTtlDays: '-1',
      rejectedCallbacksAlarmThreshold: '0',
      reconcileWindowMinutes: '1441',
      reconcileLagMinutes: '0',
      pullEnabled: 'yes',
      vodSubAppId: 'app-1',
      vodRegion: 'Guangzhou',
      vodEndpoint: 'https://vod.example/path',
      dynamodbEndpoint: 'localhost',
      tableName: 'a table',
      tableNme: 'vod-snapshots',
    })
    const ssm = 'an SSM parameter name: /, then letters, digits, _ . - and /'
    expect(problems).toStrictEqual([
      'forwardUrl: must be empty or an https URL',
      'quarantineExpiryDays: must be a whole number of days from 0 to 36500',
      `signKeyParameter: must be empty or ${ssm}`,
      'callbackSignKey: must be empty or keys of 16 to 32 letters and digits, comma-separated',
      'callbackToken: must be {{resolve:ssm:/name}} or tokens of at least 16 characters, comma-separated',
      `tencentSecretParameter: must be ${ssm}`,
      'resultTtlDays: must be a whole number of days from 0 to 36500',
      'rejectedCallbacksAlarmThreshold: must be a whole number, 1 or more',
      'reconcileWindowMinutes: must be a whole number of minutes from 1 to 1440',
      'reconcileLagMinutes: must be a whole number of minutes from 1 to 1440',
      'pullEnabled: must be true or false',
      'vodSubAppId: must be empty or a VOD application ID (digits)',
      'vodRegion: must be a Tencent Cloud region',
      'vodEndpoint: must be empty, a host, or an http(s) URL without a path',
      'dynamodbEndpoint: must be empty or an http(s) URL',
      'tableName: must be 3 to 255 letters, digits, _ . or -',
      'tableNme: is not a param of serverless.yml',
    ])
  })

  it('accepts the values YAML gives as numbers and booleans, and refuses objects', () => {
    expect(checkParams({ pullEnabled: false, rejectedCallbacksAlarmThreshold: 20 })).toEqual([])
    expect(checkParams({ resultTtlDays: { Ref: 'Days' } })).toStrictEqual([
      'resultTtlDays: must be a whole number of days from 0 to 36500',
    ])
  })

  it.each(COUNTERPARTS)(
    'accepts for %s only values the function accepts too',
    (name, read, values) => {
      for (const value of values) {
        if (accepts(name, value)) expect(startsWith(read(value)), `${name}=${value}`).toBe(true)
      }
      // Each table holds values on both sides of the rule.
      expect(values.some((value) => accepts(name, value))).toBe(true)
      expect(values.some((value) => !accepts(name, value))).toBe(true)
    },
  )

  it.each(['vodSubAppId', 'vodEndpoint', 'callbackSignKey', 'reconcileWindowMinutes'])(
    'keeps the function’s own rule for %s',
    (name) => {
      const counterpart = COUNTERPARTS.find(([param]) => param === name)
      if (!counterpart) throw new Error(`${name} has no counterpart: add it to COUNTERPARTS`)
      const [, read, values] = counterpart
      for (const value of values) {
        expect(accepts(name, value), `${name}=${value}`).toBe(startsWith(read(value)))
      }
    },
  )

  it('resolves params as the Framework does: --param, then the stage, then default', () => {
    const serverless = {
      configurationInput: {
        params: {
          default: { tableName: 'default-table', vodRegion: 'ap-guangzhou', forwardUrl: '' },
          ci: { tableName: 'ci-table', vodRegion: null },
        },
      },
      processedInput: { options: { param: ['forwardUrl=https://r.example/a=b  '] } },
    }
    expect(resolvedParams(serverless, 'ci')).toStrictEqual({
      tableName: 'ci-table',
      vodRegion: 'ap-guangzhou',
      forwardUrl: 'https://r.example/a=b',
    })
  })

  it('words every rule as a message that says what a value must be', () => {
    for (const [name, schema] of Object.entries(PARAM_RULES)) {
      const result = v.safeParse(schema, {})
      expect(result.issues?.[0]?.message, name).toMatch(/^must /)
    }
  })
})

describe('serverless package with bad params', () => {
  it('fails on each bad param, in one line naming it and its rule', async () => {
    const cases: [string, string][] = [
      ['forwardUrl=not a url', 'forwardUrl: must be empty or an https URL'],
      [
        'quarantineExpiryDays=abc',
        'quarantineExpiryDays: must be a whole number of days from 0 to 36500',
      ],
      [
        'signKeyParameter=no-leading-slash',
        'signKeyParameter: must be empty or an SSM parameter name: /, then letters, digits, _ . - and /',
      ],
      [
        `callbackSignKey=${SECRET_SIGN_KEY}`,
        'callbackSignKey: must be empty or keys of 16 to 32 letters and digits, comma-separated',
      ],
      ['pullEnabled=yes', 'pullEnabled: must be true or false'],
    ]
    const results = await Promise.all(
      cases.map(async ([param]) => {
        const output = await mkdtemp(join(tmpdir(), 'vod-snapshots-params-'))
        try {
          return await packageWith([param], output)
        } finally {
          await rm(output, { recursive: true, force: true })
        }
      }),
    )
    for (const [index, [param, problem]] of cases.entries()) {
      const result = results[index]
      const lines = result?.output.split('\n').filter((line) => line.includes('Invalid params'))
      expect({ code: result?.code, lines }, param).toStrictEqual({
        code: 1,
        lines: [`Invalid params (serverless.yml or --param): ${problem}`],
      })
      expect(result?.output).not.toContain('Service packaged')
    }
    expect(results.map((result) => result.output).join('')).not.toContain(SECRET_SIGN_KEY)
  }, 120_000)

  it('packages valid overrides, which reach the template', async () => {
    const output = await mkdtemp(join(tmpdir(), 'vod-snapshots-params-'))
    try {
      const result = await packageWith(
        [
          'vodSubAppId=1500000001',
          'vodRegion=ap-shanghai-fsi',
          'vodEndpoint=vod.intl.tencentcloudapi.com',
          'reconcileWindowMinutes=1440',
          'reconcileLagMinutes=1',
          'quarantineExpiryDays=30',
          'resultTtlDays=90',
          'rejectedCallbacksAlarmThreshold=5',
          'pullEnabled=true',
          'forwardAll=true',
        ],
        output,
      )
      expect(result).toStrictEqual({ code: 0, output: '' })
      const template = await readFile(join(output, 'cloudformation-template-update-stack.json'))
      const resources = JSON.parse(template.toString('utf8')).Resources
      expect(resources.ReconcileLambdaFunction.Properties.Environment.Variables).toMatchObject({
        VOD_SUBAPP_ID: '1500000001',
        VOD_REGION: 'ap-shanghai-fsi',
        VOD_ENDPOINT: 'vod.intl.tencentcloudapi.com',
        RECONCILE_WINDOW_MINUTES: '1440',
        RECONCILE_LAG_MINUTES: '1',
      })
      expect(resources.CallbackLambdaFunction.Properties.Environment.Variables).toMatchObject({
        RESULT_TTL_DAYS: '90',
        FORWARD_ALL: 'true',
      })
      const [, lifecycle] = resources.QuarantineBucket.Properties.LifecycleConfiguration['Fn::If']
      expect(String(lifecycle.Rules[0].ExpirationInDays)).toBe('30')
      expect(String(resources.RejectedCallbacksAlarm.Properties.Threshold)).toBe('5')
      type Rule = { Type: string; Properties: { ScheduleExpression?: string; State?: string } }
      const schedules = (Object.values(resources) as Rule[])
        .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.ScheduleExpression)
        .map((r) => [r.Properties.ScheduleExpression, r.Properties.State])
      expect(schedules).toContainEqual(['rate(1 minute)', 'ENABLED'])
    } finally {
      await rm(output, { recursive: true, force: true })
    }
  }, 120_000)
})
