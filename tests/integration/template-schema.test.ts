import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Template, templateProblems } from '../support/cloudformation-schema'
import { inServiceCopy } from '../support/service-copy'

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
 * The template `serverless package` writes, without AWS credentials. Each packaging runs in its
 * own copy of the service: serverless-esbuild builds in the service's .esbuild and .serverless
 * folders, so two packagings of one folder at once delete each other's zips.
 */
async function packagedTemplate(params: string[]): Promise<Template> {
  return inServiceCopy(async (service) => {
    const output = join(service, '.serverless-package')
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
    )
    Object.assign(env, {
      AWS_SHARED_CREDENTIALS_FILE: join(output, 'none'),
      AWS_CONFIG_FILE: join(output, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
    })
    const serverless = join('node_modules', 'serverless', 'bin', 'serverless.js')
    const args = ['package', '--stage', 'ci', ...params.map((p) => `--param=${p}`)]
    await promisify(execFile)(process.execPath, [serverless, ...args, '--package', output], {
      cwd: service,
      env,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { message: string; stdout?: string }) => {
      // serverless prints its error on stdout; the rejection's message holds only stderr.
      throw new Error(`${error.message}\n${error.stdout ?? ''}`)
    })
    return JSON.parse(
      await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8'),
    )
  })
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
