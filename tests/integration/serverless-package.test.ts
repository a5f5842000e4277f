import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inflateRawSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAULT_SWITCH_PATH } from '../../lib/local/dynamodb-fault-switch'
import { readQueueDefinitions } from '../../lib/local/queue-definitions'
import { readServiceDefinition } from '../../lib/local/service-definition'
import { DEADLINE_MARGIN_MS } from '../../lib/pull/scheduled-drain'
import { DEFAULT_BUDGET } from '../../lib/receive/answer-callback'
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../lib/runtime/log'
import { anchorsOf } from '../support/markdown-links'
import { packageService } from '../support/service-copy'

type Resource = { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>
type Policy = { PolicyDocument: { Statement: unknown } }
type Statement = { Effect?: string; Action: string[]; NotAction?: unknown; Resource?: unknown }

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SHELL_VARIABLES = [
  'CALLBACK_TOKEN',
  'CALLBACK_SIGN_KEY',
  'TABLE_NAME',
  'DYNAMODB_ENDPOINT',
  'DYNAMODB_PORT',
]
// Left in the packager's shell on purpose: a deployed stage must not take it from there.
const SHELL_TOKEN = 'token-in-the-deployers-shell-0123456789'
const LOCAL_TOKEN = 'local-development-token'
const SHELL_SIGN_KEY = 'SignKeyInTheDeployersShell'
const key = (AttributeName: string, KeyType: string) => ({ AttributeName, KeyType })

let dir = ''
let templateText = ''
let resources: Record<string, Resource> = {}
const zips: Record<string, Map<string, Buffer>> = {}

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type)
const isDynamoDb = (action: string) => action.toLowerCase().startsWith('dynamodb:')

/** Every statement of every IAM role and standalone policy, its Action always an array. */
function iamStatements(): Statement[] {
  const inline = ofType('AWS::IAM::Role').flatMap((r) => (r.Properties.Policies ?? []) as Policy[])
  const standalone = [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::ManagedPolicy')]
  return [...inline, ...standalone.map((p) => p.Properties as Policy)]
    .flatMap((policy) => [policy.PolicyDocument.Statement].flat() as Record<string, unknown>[])
    .map((statement) => ({ ...statement, Action: [statement.Action ?? []].flat() as string[] }))
}

/** The statements of one role's inline policies, each Action an array. */
function roleStatements(role: string): Statement[] {
  return ((resources[role]?.Properties.Policies ?? []) as Policy[])
    .flatMap((policy) => [policy.PolicyDocument.Statement].flat() as Record<string, unknown>[])
    .map((statement) => ({ ...statement, Action: [statement.Action ?? []].flat() as string[] }))
}

/** The files of a zip archive by name, read through its central directory (no zip dependency). */
function unzip(archive: Buffer): Map<string, Buffer> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0) throw new Error('not a zip archive')
  const files = new Map<string, Buffer>()
  let at = archive.readUInt32LE(end + 16)
  for (let n = archive.readUInt16LE(end + 10); n > 0; n--) {
    const nameEnd = at + 46 + archive.readUInt16LE(at + 28)
    const local = archive.readUInt32LE(at + 42)
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28)
    const data = archive.subarray(start, start + archive.readUInt32LE(at + 20))
    const deflated = archive.readUInt16LE(at + 10) === 8
    files.set(archive.toString('utf8', at + 46, nameEnd), deflated ? inflateRawSync(data) : data)
    at = nameEnd + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32)
  }
  return files
}

/** Runs `serverless package` as a deployer would, without AWS credentials or shell values. */
const packageStage = (args: string[], output: string) =>
  // Packaging must need no AWS credentials and no value from the shell (or from vitest's env).
  packageService(args, output, {
    omit: SHELL_VARIABLES,
    env: {
      CALLBACK_TOKEN: SHELL_TOKEN,
      CALLBACK_SIGN_KEY: SHELL_SIGN_KEY,
      // What npm start passes serverless-offline: a deployed stage keeps its own queue and SQS.
      FALLBACK_QUEUE_URL: 'http://sqs.us-east-1.localhost:9324/000000000000/shell-queue',
      SQS_PORT: '9999',
    },
  })

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vod-snapshots-package-'))
  await packageStage(['--stage', 'ci'], dir)
  templateText = await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')
  resources = JSON.parse(templateText).Resources
  for (const name of ['callback', 'redrive', 'pull', 'reconcile']) {
    zips[name] = unzip(await readFile(join(dir, `${name}.zip`)))
  }
}, 120_000)

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('serverless package --stage ci', () => {
  it('creates an on-demand table keyed by task and time offset, indexed by fileId', () => {
    const table = resources.SnapshotsTable
    expect(table?.Type).toBe('AWS::DynamoDB::Table')
    expect(table?.Properties).toMatchObject({
      TableName: 'vod-snapshots-ci',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [key('vodTaskId', 'HASH'), key('timeOffset', 'RANGE')],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byFileId',
          KeySchema: [key('fileId', 'HASH'), key('timeOffset', 'RANGE')],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    })
    const definitions = table?.Properties.AttributeDefinitions as { AttributeName: string }[]
    expect(definitions.toSorted((a, b) => a.AttributeName.localeCompare(b.AttributeName))).toEqual([
      { AttributeName: 'fileId', AttributeType: 'S' },
      { AttributeName: 'timeOffset', AttributeType: 'N' },
      { AttributeName: 'vodTaskId', AttributeType: 'S' },
    ])
  })

  it('keeps the table and its backups when the stack is deleted or the table replaced', () => {
    expect(resources.SnapshotsTable).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    })
  })

  it('runs the handler on Node 24 within VOD’s 5-second wait, its token resolved from SSM', () => {
    const properties = resources.CallbackLambdaFunction?.Properties ?? {}
    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'handlers/callback.handler',
      Role: { 'Fn::GetAtt': ['CallbackRole', 'Arn'] },
    })
    expect(properties.Timeout).toBeLessThanOrEqual(6)
    expect(properties.Environment).toStrictEqual({
      Variables: {
        TABLE_NAME: 'vod-snapshots-ci',
        CALLBACK_TOKEN: '{{resolve:ssm:/vod-snapshots/ci/callback-token}}',
        CALLBACK_SIGN_KEY: {
          'Fn::If': ['CallbackSignature', { 'Fn::Join': ['', ['{{resolve:ssm:', '', '}}']] }, ''],
        },
        DYNAMODB_ENDPOINT: '',
        FALLBACK_QUEUE_URL: { Ref: 'FallbackQueue' },
        QUARANTINE_BUCKET: { Ref: 'QuarantineBucket' },
        SQS_ENDPOINT: '',
        S3_ENDPOINT: '',
        RESULT_TTL_DAYS: '0',
        SERVICE_NAME: 'vod-snapshots-ci',
        METRICS_DISABLED: 'false',
        NODE_OPTIONS: '--enable-source-maps',
        EVENT_BUS_NAME: { Ref: 'EventBus' },
        FORWARD_URL: '',
        FORWARD_ALL: 'false',
      },
    })
  })

  it('keeps results for ever unless a deploy sets resultTtlDays', () => {
    expect(resources.SnapshotsTable?.Properties.TimeToLiveSpecification).toStrictEqual({
      AttributeName: 'expiresAt',
      Enabled: { 'Fn::If': ['ResultExpiry', true, false] },
    })
    expect(JSON.parse(templateText).Conditions).toStrictEqual({
      ResultExpiry: { 'Fn::Not': [{ 'Fn::Equals': ['0', '0'] }] },
      QuarantineExpiry: { 'Fn::Not': [{ 'Fn::Equals': ['0', '0'] }] },
      Forwarding: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
      CallbackSignature: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
    })
  })

  it.each([
    ['ResultsLoggedAlarm', 'VodSnapshots', 'ResultsLogged', 0],
    ['EventsLoggedAlarm', 'VodSnapshots', 'EventsLogged', 0],
    ['CallbacksFailedAlarm', 'VodSnapshots', 'CallbacksFailed', 0],
    ['StorageOutageAlarm', 'VodSnapshots', 'StoreFailures', 0],
    ['RejectedCallbacksAlarm', 'VodSnapshots', 'CallbacksRejected', 20],
  ])('raises %s on the stage’s own %s/%s metric', (alarm, namespace, metric, threshold) => {
    expect(resources[alarm]?.Properties).toMatchObject({
      Namespace: namespace,
      MetricName: metric,
      Dimensions: [{ Name: 'service', Value: 'vod-snapshots-ci' }],
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    })
  })

  it('raises an alarm when either function fails outright, even while the other is idle', () => {
    expect(resources.FunctionErrorsAlarm?.Properties.Metrics).toContainEqual({
      Id: 'errors',
      Expression: 'FILL(callback, 0) + FILL(redrive, 0)',
      ReturnData: true,
    })
    const metrics = resources.FunctionErrorsAlarm?.Properties.Metrics as {
      MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } }
    }[]
    expect(metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []))).toStrictEqual([
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'CallbackLambdaFunction' } }],
      },
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'RedriveLambdaFunction' } }],
      },
    ])
  })

  it('runs the redrive from the fallback queue, without the callback token', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(4)
    const properties = resources.RedriveLambdaFunction?.Properties ?? {}
    expect(properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'handlers/redrive.handler',
      Role: { 'Fn::GetAtt': ['RedriveRole', 'Arn'] },
    })
    expect(Object.keys((properties.Environment as { Variables: object }).Variables)).not.toContain(
      'CALLBACK_TOKEN',
    )
    const [mapping] = ofType('AWS::Lambda::EventSourceMapping')
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['FallbackQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    })
  })

  it('moves a message the redrive keeps failing to a dead-letter queue that raises an alarm', () => {
    const queue = resources.FallbackQueue?.Properties ?? {}
    expect(queue.RedrivePolicy).toStrictEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['FallbackDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    })
    const timeout = Number(resources.RedriveLambdaFunction?.Properties.Timeout)
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout)
    expect(resources.FallbackDeadLetterAlarm?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': ['FallbackDeadLetterQueue', 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    })
  })

  it.each([
    [
      'CallbackRole',
      'CallbackLogGroup',
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:PutObject',
        'sqs:SendMessage',
      ],
    ],
    [
      'RedriveRole',
      'RedriveLogGroup',
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ],
    ],
  ])(
    'gives %s only the actions its function uses, each on its own resource',
    (role, logGroup, actions) => {
      const statements = roleStatements(role)
      expect(statements.flatMap((statement) => statement.Action).sort()).toStrictEqual(actions)
      const resourceOf = (prefix: string) =>
        statements.filter((s) => s.Action.every((a) => a.startsWith(prefix))).map((s) => s.Resource)
      expect(resourceOf('logs:')).toStrictEqual([[{ 'Fn::GetAtt': [logGroup, 'Arn'] }]])
      expect(resourceOf('sqs:')).toStrictEqual([[{ 'Fn::GetAtt': ['FallbackQueue', 'Arn'] }]])
      for (const statement of statements) expect(statement.Effect).toBe('Allow')
      expect(JSON.stringify(statements)).not.toMatch(/"\*"|:\*"/)
    },
  )

  it('names in its alarms only the namespace and the metrics the functions publish', () => {
    const ours = ofType('AWS::CloudWatch::Alarm')
      .map((alarm) => alarm.Properties)
      // AWS's own metrics (AWS/Lambda, AWS/SQS, ...) and metric-math alarms aside.
      .filter((alarm) => typeof alarm.Namespace === 'string' && !alarm.Namespace.startsWith('AWS/'))
    expect(ours.length).toBeGreaterThan(5)
    for (const alarm of ours) {
      expect(alarm.Namespace).toBe(METRICS_NAMESPACE)
      expect(METRIC_NAMES).toContain(alarm.MetricName)
    }
  })

  it('keeps the numbers that depend on each other in step', () => {
    const fn = (name: string) => resources[`${name}LambdaFunction`]?.Properties ?? {}
    const seconds = (name: string) => Number(fn(name).Timeout)
    // The callback answers within its budget, well inside its own timeout.
    expect(DEFAULT_BUDGET.answerMs + 1000).toBeLessThanOrEqual(seconds('Callback') * 1000)
    // SQS: the fallback queue's visibility is six times the redrive's timeout (AWS's advice).
    const queue = resources.FallbackQueue?.Properties ?? {}
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * seconds('Redrive'))
    // The pull drains until its time less a margin, within its 1-minute schedule.
    expect(seconds('Pull') * 1000).toBeGreaterThan(DEADLINE_MARGIN_MS)
    expect(seconds('Pull')).toBeLessThan(60)
    // Reconcile stops before its timeout and ends before the next 15-minute run.
    expect(seconds('Reconcile')).toBeLessThan(15 * 60)
  })

  it('routes POST /vod/callback through the HTTP API', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map((route) => route.Properties.RouteKey)
    expect(routes).toContain('POST /vod/callback')
  })

  it('grants no wildcard action', () => {
    const statements = iamStatements()
    expect(statements.length).toBeGreaterThan(0)
    for (const statement of statements) {
      expect(statement.NotAction).toBeUndefined()
      expect(statement.Action.length).toBeGreaterThan(0)
      for (const action of statement.Action) expect(action).not.toMatch(/^(\*|[\w-]+:\*)$/)
    }
  })

  it('lets the functions only the writes the store sends, and only on their own table', async () => {
    // The callback's write path: the batches of puts and the merges lib/store sends.
    const writePath = ['dynamodb:BatchWriteItem', 'dynamodb:UpdateItem']
    const storeSource = await readFile(
      new URL('../../lib/store/snapshot-store.ts', import.meta.url),
      'utf8',
    )
    const sent = [...storeSource.matchAll(/new (\w+)ItemCommand\(/g)].map(
      ([, name]) => `dynamodb:${name}Item`,
    )
    expect(sent).toEqual(expect.arrayContaining(writePath))
    const writers = ['CallbackRole', 'RedriveRole', 'PullRole'].flatMap((role) =>
      roleStatements(role).filter((statement) => statement.Action.some(isDynamoDb)),
    )
    expect(writers).toHaveLength(3)
    for (const statement of writers) expect(statement.Action).toEqual(writePath)
    // Reconcile reads which keys exist, writes the missing items and its checkpoint item.
    const reconciler = roleStatements('ReconcileRole').filter((statement) =>
      statement.Action.some(isDynamoDb),
    )
    expect(reconciler.map((statement) => statement.Action)).toEqual([
      ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
    ])
    for (const command of ['BatchGetItem', 'PutItem'])
      expect(storeSource).toContain(`new ${command}Command(`)
    const dynamoDb = iamStatements().filter((statement) => statement.Action.some(isDynamoDb))
    expect(dynamoDb).toHaveLength(4)
    for (const statement of dynamoDb) {
      expect(statement.Effect).toBe('Allow')
      expect([statement.Resource].flat()).toEqual([{ 'Fn::GetAtt': ['SnapshotsTable', 'Arn'] }])
    }
    // No DynamoDB action anywhere else in the template (a resource policy, a NotAction, …).
    const everywhere = (templateText.match(/"dynamodb:[^"]*"/gi) ?? []).map((s) => JSON.parse(s))
    expect(everywhere.sort()).toEqual(dynamoDb.flatMap((statement) => statement.Action).sort())
  })

  it.each(['callback', 'redrive', 'pull', 'reconcile'])(
    'ships the %s function as its own ESM bundle, with none of the local-development code',
    (name) => {
      const zip = zips[name] ?? new Map()
      expect([...zip.keys()].sort()).toStrictEqual([
        `handlers/${name}.mjs`,
        `handlers/${name}.mjs.map`,
      ])
      // Source map included; booleans, so a failure does not print megabytes of bundle.
      const bundle = Buffer.concat([...zip.values()]).toString('utf8')
      expect(bundle.includes('CreateSnapshotByTimeOffsetComplete'), 'bundle is readable').toBe(true)
      expect(bundle.includes(LOCAL_TOKEN), `bundle contains ${LOCAL_TOKEN}`).toBe(false)
      // The clients left to the Lambda runtime are imported only when used: a static import
      // would load them at every cold start (and fail where no runtime SDK exists).
      const code = zip.get(`handlers/${name}.mjs`)?.toString('utf8') ?? ''
      expect(/\bfrom\s*["']@aws-sdk\//.test(code), 'a static import of @aws-sdk').toBe(false)
      expect(/import\(["']@aws-sdk\//.test(code), 'a lazy import of @aws-sdk').toBe(true)
      // The local DynamoDB's fault switch cannot be in a deployed function.
      expect(bundle.includes(FAULT_SWITCH_PATH), 'bundle has the fault switch').toBe(false)
    },
  )

  it('schedules the pull function every minute, switched off unless a deploy turns it on', () => {
    const rules = ofType('AWS::Events::Rule').filter((rule) => rule.Condition === undefined)
    const pullRules = rules.filter((rule) =>
      JSON.stringify(rule.Properties.Targets).includes('PullLambdaFunction'),
    )
    expect(pullRules.map((rule) => rule.Properties)).toMatchObject([
      { ScheduleExpression: 'rate(1 minute)', State: 'DISABLED' },
    ])
    // The pull's and reconcile's schedules, nothing else.
    expect(rules).toHaveLength(2)
    expect(resources.PullLambdaFunction?.Properties).toMatchObject({
      Handler: 'handlers/pull.handler',
      Role: { 'Fn::GetAtt': ['PullRole', 'Arn'] },
      ReservedConcurrentExecutions: 1,
    })
    const pull = resources.PullLambdaFunction?.Properties ?? {}
    const env = (pull.Environment as { Variables: object }).Variables
    expect(env).toMatchObject({ TENCENT_SECRET_PARAMETER: '/vod-snapshots/ci/tencent-api-key' })
    expect(Object.keys(env)).not.toContain('CALLBACK_TOKEN')
  })

  it('schedules reconcile every 15 minutes, off unless reconcileEnabled, with both alarms', () => {
    const reconcile = resources.ReconcileLambdaFunction?.Properties ?? {}
    expect(reconcile).toMatchObject({ Timeout: 300 })
    const env = (reconcile.Environment as { Variables: object }).Variables
    expect(env).toMatchObject({
      TENCENT_SECRET_PARAMETER: '/vod-snapshots/ci/tencent-api-key',
      RECONCILE_WINDOW_MINUTES: '60',
      RECONCILE_LAG_MINUTES: '10',
    })
    const schedules = ofType('AWS::Events::Rule').filter((rule) =>
      JSON.stringify(rule.Properties.Targets).includes('ReconcileLambdaFunction'),
    )
    expect(schedules.map((rule) => rule.Properties)).toEqual([
      expect.objectContaining({ ScheduleExpression: 'rate(15 minutes)', State: 'DISABLED' }),
    ])
    for (const [alarm, metric] of [
      ['ResultsRecoveredAlarm', 'ResultsRecovered'],
      ['ReconcileFailedAlarm', 'ReconcileFailed'],
    ] as const) {
      expect(resources[alarm]?.Properties).toMatchObject({
        Namespace: 'VodSnapshots',
        MetricName: metric,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      })
    }
    const statements = roleStatements('ReconcileRole')
    expect(statements.flatMap((statement) => statement.Action).sort()).toStrictEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'events:PutEvents',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:PutObject',
      'ssm:GetParameter',
    ])
    const ssm = statements.find((statement) => statement.Action.includes('ssm:GetParameter'))
    expect(JSON.stringify(ssm?.Resource)).toContain(':parameter/vod-snapshots/ci/tencent-api-key')
    const logs = statements.find((statement) => statement.Action.includes('logs:PutLogEvents'))
    expect(logs?.Resource).toEqual([{ 'Fn::GetAtt': ['ReconcileLogGroup', 'Arn'] }])
    expect(JSON.stringify(statements)).not.toMatch(/"\*"|:\*"/)
  })

  it('raises an alarm when callbacks with the right token fail the signature, pointing to reconcile', () => {
    expect(resources.SignatureRejectedAlarm?.Properties).toMatchObject({
      Namespace: 'VodSnapshots',
      MetricName: 'SignatureRejected',
      Dimensions: [{ Name: 'service', Value: 'vod-snapshots-ci' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    })
    expect(String(resources.SignatureRejectedAlarm?.Properties.AlarmDescription)).toContain(
      'reconcile',
    )
  })

  it('lets the pull function read only its own Tencent key from Parameter Store', () => {
    const statements = roleStatements('PullRole')
    expect(statements.flatMap((statement) => statement.Action).sort()).toStrictEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:UpdateItem',
      'events:PutEvents',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:PutObject',
      'ssm:GetParameter',
    ])
    const ssm = statements.find((statement) => statement.Action.includes('ssm:GetParameter'))
    expect(JSON.stringify(ssm?.Resource)).toContain(':parameter/vod-snapshots/ci/tencent-api-key')
    expect(JSON.stringify(ssm?.Resource)).not.toContain('*')
  })

  it('puts no callback token in the template, even one set in the deployer’s shell', () => {
    expect(templateText).not.toContain(SHELL_TOKEN)
    expect(templateText).not.toContain(LOCAL_TOKEN)
    for (const zip of Object.values(zips)) {
      expect(Buffer.concat([...zip.values()]).includes(SHELL_TOKEN)).toBe(false)
    }
    expect(templateText).not.toContain(SHELL_SIGN_KEY)
  })

  it('keeps rejected callbacks in a private, encrypted, TLS-only bucket that outlives the stack', () => {
    const bucket = resources.QuarantineBucket
    expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' })
    expect(bucket?.Properties).toStrictEqual({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      // Expiry only when a deploy sets quarantineExpiryDays; the default keeps them.
      LifecycleConfiguration: {
        'Fn::If': [
          'QuarantineExpiry',
          {
            Rules: [
              {
                Id: 'expire-quarantined-callbacks',
                Status: 'Enabled',
                Prefix: 'quarantine/',
                ExpirationInDays: '0',
              },
            ],
          },
          { Ref: 'AWS::NoValue' },
        ],
      },
    })
    expect(resources.QuarantineBucketPolicy?.Properties).toStrictEqual({
      Bucket: { Ref: 'QuarantineBucket' },
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TlsOnly',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [
              { 'Fn::GetAtt': ['QuarantineBucket', 'Arn'] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['QuarantineBucket', 'Arn'] }, '/*']] },
            ],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    })
  })

  it('lets the functions only put objects, only under the prefixes they keep bodies in', () => {
    const s3 = iamStatements().filter((statement) =>
      statement.Action.some((action) => action.toLowerCase().startsWith('s3:')),
    )
    const under = (prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': ['QuarantineBucket', 'Arn'] }, `/${prefix}/*`]],
    })
    const keeping = {
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: [under('quarantine'), under('oversized-events')],
    }
    expect(s3).toStrictEqual([keeping, keeping, keeping])
    for (const role of ['CallbackRole', 'PullRole', 'ReconcileRole']) {
      expect(roleStatements(role)).toContainEqual(keeping)
    }
  })

  it('raises an alarm on any quarantined callback, and on a quarantine that failed', () => {
    const alarms: [string, string][] = [
      ['QuarantinedCallbacksAlarm', 'CallbacksQuarantined'],
      ['QuarantineFailedAlarm', 'QuarantineFailed'],
    ]
    for (const [name, metric] of alarms) {
      expect(resources[name]?.Properties).toMatchObject({
        Namespace: 'VodSnapshots',
        MetricName: metric,
        Dimensions: [{ Name: 'service', Value: 'vod-snapshots-ci' }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      })
    }
  })
  it('lets the functions put events only on their own stage’s bus', () => {
    const events = iamStatements().filter((statement) =>
      statement.Action.some((action) => action.startsWith('events:PutEvents')),
    )
    expect(events).toHaveLength(4)
    for (const statement of events) {
      expect(statement).toStrictEqual({
        Effect: 'Allow',
        Action: ['events:PutEvents'],
        Resource: [{ 'Fn::GetAtt': ['EventBus', 'Arn'] }],
      })
    }
    expect(resources.EventBus?.Properties).toStrictEqual({ Name: 'vod-snapshots-ci' })
  })

  it('creates no API destination without forwardUrl', () => {
    const forwarding = Object.entries(resources).filter(([, r]) => r.Condition === 'Forwarding')
    expect(forwarding.map(([name]) => name).sort()).toStrictEqual([
      'ForwardConnection',
      'ForwardDeadLetterQueue',
      'ForwardDeadLetterQueuePolicy',
      'ForwardDestination',
      'ForwardFailedAlarm',
      'ForwardRole',
      'ForwardRule',
    ])
    // The condition CloudFormation evaluates: false, so none of them is created.
    expect(JSON.parse(templateText).Conditions.Forwarding).toStrictEqual({
      'Fn::Not': [{ 'Fn::Equals': ['', ''] }],
    })
  })

  it('links every alarm’s description to its section of the runbook', async () => {
    const runbook = anchorsOf(await readFile(join(REPO_ROOT, 'docs', 'runbook.md'), 'utf8'))
    const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    const links = alarms.map(([name, alarm]) => {
      const description = String(alarm.Properties.AlarmDescription)
      const anchor = /docs\/runbook\.md#([\w-]+)/.exec(description)?.[1]
      return {
        name,
        linked: anchor,
        inRunbook: runbook.has(anchor ?? ''),
        short: description.length <= 1024,
      }
    })
    expect(alarms.length).toBeGreaterThanOrEqual(14)
    expect(links).toStrictEqual(
      alarms.map(([name, alarm]) => ({
        name,
        // The runbook's anchor is the alarm's name without vod-snapshots-<stage>-.
        linked: String(alarm.Properties.AlarmName).replace('vod-snapshots-ci-', ''),
        inRunbook: true,
        short: true,
      })),
    )
  })

  it('packages the table and queues npm start creates from resources/, as npm start reads them', async () => {
    const read = (await readServiceDefinition()).resources.Resources
    // Every resource of the parts is packaged, as its part defines it.
    expect(Object.keys(read).map((name) => [name, resources[name]?.Type])).toStrictEqual(
      Object.entries(read).map(([name, resource]) => [name, resource.Type]),
    )
    const table = resources.SnapshotsTable?.Properties ?? {}
    expect(read.SnapshotsTable?.Properties).toMatchObject({
      AttributeDefinitions: table.AttributeDefinitions,
      KeySchema: table.KeySchema,
      GlobalSecondaryIndexes: table.GlobalSecondaryIndexes,
      BillingMode: table.BillingMode,
    })
    const queues = await readQueueDefinitions('ci')
    expect(resources.FallbackQueue?.Properties).toStrictEqual({
      QueueName: queues.fallback.name,
      ...queues.fallback.attributes,
    })
    expect(resources.FallbackDeadLetterQueue?.Properties).toStrictEqual({
      QueueName: queues.deadLetter.name,
      ...queues.deadLetter.attributes,
    })
    const source = ofType('AWS::Lambda::EventSourceMapping')[0]?.Properties
    expect(source?.BatchSize).toBe(queues.redrive.batchSize)
    expect(resources.RedriveLambdaFunction?.Properties.Timeout).toBe(queues.redrive.timeoutSeconds)
  })
})

describe('serverless package --stage ci with forwardUrl and signKeyParameter', () => {
  const RECEIVER = 'https://receiver.example/vod/events?key=abc'
  let forwarded: Record<string, Resource> = {}
  let conditions: Record<string, unknown> = {}

  beforeAll(async () => {
    const out = await mkdtemp(join(tmpdir(), 'vod-snapshots-forward-'))
    try {
      await packageStage(
        [
          '--stage',
          'ci',
          '--param',
          `forwardUrl=${RECEIVER}`,
          '--param=signKeyParameter=/vod-snapshots/ci/sign-key',
        ],
        out,
      )
      const template = JSON.parse(
        await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
      )
      forwarded = template.Resources
      conditions = template.Conditions
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  }, 120_000)

  it('resolves CALLBACK_SIGN_KEY from the SSM parameter the deploy names', () => {
    const callback = forwarded.CallbackLambdaFunction?.Properties as {
      Environment: { Variables: Record<string, unknown> }
    }
    expect(callback.Environment.Variables.CALLBACK_SIGN_KEY).toStrictEqual({
      'Fn::If': [
        'CallbackSignature',
        { 'Fn::Join': ['', ['{{resolve:ssm:', '/vod-snapshots/ci/sign-key', '}}']] },
        '',
      ],
    })
    expect(conditions.CallbackSignature).toStrictEqual({
      'Fn::Not': [{ 'Fn::Equals': ['/vod-snapshots/ci/sign-key', ''] }],
    })
  })

  it('turns the forwarding on', () => {
    expect(conditions.Forwarding).toStrictEqual({
      'Fn::Not': [{ 'Fn::Equals': [RECEIVER, ''] }],
    })
  })

  it('delivers every VOD event on the bus, as VOD sent it, to the receiver', () => {
    expect(forwarded.ForwardDestination?.Properties).toStrictEqual({
      ConnectionArn: { 'Fn::GetAtt': ['ForwardConnection', 'Arn'] },
      HttpMethod: 'POST',
      InvocationEndpoint: RECEIVER,
      InvocationRateLimitPerSecond: 50,
    })
    expect(forwarded.ForwardConnection?.Properties).toMatchObject({ AuthorizationType: 'API_KEY' })
    expect(forwarded.ForwardRule?.Properties).toStrictEqual({
      Description: 'VOD events, as VOD sent them, to the receiver named by forwardUrl',
      EventBusName: { Ref: 'EventBus' },
      EventPattern: {
        source: ['vod-snapshots'],
        'detail-type': [{ 'anything-but': ['SnapshotResultsStored'] }],
      },
      Targets: [
        {
          Id: 'forward',
          Arn: { 'Fn::GetAtt': ['ForwardDestination', 'Arn'] },
          RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] },
          InputPath: '$.detail',
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ForwardDeadLetterQueue', 'Arn'] } },
        },
      ],
    })
  })

  it('lets the rule only invoke its destination, and only the rule fill its dead-letter queue', () => {
    const role = forwarded.ForwardRole?.Properties as { Policies: Policy[] }
    expect(role.Policies.map((policy) => policy.PolicyDocument.Statement)).toStrictEqual([
      [
        {
          Effect: 'Allow',
          Action: ['events:InvokeApiDestination'],
          Resource: [{ 'Fn::GetAtt': ['ForwardDestination', 'Arn'] }],
        },
      ],
    ])
    expect(forwarded.ForwardDeadLetterQueuePolicy?.Properties).toMatchObject({
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ForwardRule', 'Arn'] } } },
          },
        ],
      },
    })
    expect(forwarded.ForwardFailedAlarm?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    })
  })
})

describe('serverless package --stage local', () => {
  it('fails, naming the rule: the local stage holds the development token', async () => {
    const output = await mkdtemp(join(tmpdir(), 'vod-snapshots-package-local-'))
    try {
      await expect(packageStage(['--stage', 'local'], output)).rejects.toThrow(
        'The local stage is for npm start only and cannot be packaged or deployed: choose another --stage.',
      )
      expect(await readdir(output)).toStrictEqual([])
    } finally {
      await rm(output, { recursive: true, force: true })
    }
  }, 120_000)
})
