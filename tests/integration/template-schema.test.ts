import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Template, templateProblems } from '../support/cloudformation-schema'
import { packageService } from '../support/service-copy'

// Every param that adds resources or changes what the template holds. Each only sets a
// condition or a literal value (the resources are the same, some gated by a Condition), so one
// template with all of them on holds every value each one alone would: two packagings, not eight.
const OPTIONAL_PARAMS = [
  'forwardUrl=https://example.com/hook',
  'pullEnabled=true',
  'reconcileEnabled=true',
  'signKeyParameter=/x/y',
  'resultTtlDays=90',
  'quarantineExpiryDays=30',
]
const VARIANTS: Record<string, string[]> = { defaults: [], 'every optional param': OPTIONAL_PARAMS }

/**
 * The template `serverless package` writes, without AWS credentials, each packaging in its own
 * copy of the service (packageService).
 */
async function packagedTemplate(params: string[]): Promise<Template> {
  const output = await mkdtemp(join(tmpdir(), 'vod-snapshots-template-'))
  try {
    await packageService(['--stage', 'ci', ...params.map((p) => `--param=${p}`)], output)
    return JSON.parse(
      await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8'),
    )
  } finally {
    await rm(output, { recursive: true, force: true })
  }
}

const templates: Record<string, Template> = {}

beforeAll(async () => {
  await Promise.all(
    Object.entries(VARIANTS).map(async ([name, params]) => {
      templates[name] = await packagedTemplate(params)
    }),
  )
}, 180_000)

describe('the packaged template, against CloudFormation’s resource schemas and IAM’s actions', () => {
  it.each(Object.keys(VARIANTS))('has no problem with %s', async (name) => {
    const template = templates[name]
    expect(template).toBeDefined()
    expect(await templateProblems(template as Template)).toStrictEqual([])
  })
})

describe('templateProblems', () => {
  it('names each problem: resource, path, and what is wrong', async () => {
    const template: Template = {
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimout: 30 } },
        Table: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: 'sometimes' },
          },
        },
        Topic: { Type: 'AWS::SNS::Topik' },
        Alarm: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            ComparisonOperator: 'GreaterThanThreshold',
            EvaluationPeriods: 1,
            AlarmActions: [{ 'Fn::GetAtt': ['Queue', 'Url'] }],
          },
        },
        QueuePolicy: {
          Type: 'AWS::SQS::QueuePolicy',
          Properties: {
            PolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }],
            },
          },
        },
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }],
            },
            Policies: [
              {
                PolicyName: 'write',
                PolicyDocument: {
                  Statement: [
                    {
                      Effect: 'Allow',
                      Action: ['dynamodb:BatchWriteItems', 'dynamodb:Get*', 's3:Fly*'],
                      Resource: { 'Fn::GetAtt': ['Table', 'Arn'] },
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    }

    expect(await templateProblems(template)).toStrictEqual([
      'Queue Properties.VisibilityTimout: no such property',
      'Table Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: expected a boolean, got "sometimes"',
      'Topic Type: no resource type AWS::SNS::Topik',
      'QueuePolicy Properties.Queues: required property missing',
      'Alarm Properties.AlarmActions[0]: AWS::SQS::Queue has no attribute Url',
      'Role Properties.Policies[0].PolicyDocument.Statement[0].Action: no IAM action dynamodb:BatchWriteItems',
      'Role Properties.Policies[0].PolicyDocument.Statement[0].Action: s3:Fly* matches no action',
    ])
  })

  it('finds nothing wrong with values known only at deploy time, in either branch of an Fn::If', async () => {
    const template: Template = {
      Resources: {
        Queue: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            VisibilityTimeout: { 'Fn::If': ['Long', '180', { Ref: 'AWS::NoValue' }] },
            QueueName: { 'Fn::Join': ['-', ['a', { Ref: 'AWS::StackName' }]] },
          },
        },
      },
    }

    expect(await templateProblems(template)).toStrictEqual([])
  })
})
