import { execFileSync } from 'node:child_process'
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  parseStageArgs,
  readStageOutputs,
  regionOf,
  StageOutputsError,
  stageEnvironment,
} from '../../lib/operator/stage-outputs'
import { shellWord } from '../../lib/operator/terminal-text'
import { UsageError } from '../../lib/operator/usage-error'

const cloudFormation = mockClient(CloudFormationClient)
const DLQ = 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/vod-snapshots-prod-fallback-dlq'
// As `serverless deploy --stage prod` leaves them (serverless.yml `Outputs`, and its own).
const OUTPUTS = [
  { OutputKey: 'FallbackDeadLetterQueueUrl', OutputValue: DLQ },
  { OutputKey: 'QuarantineBucketName', OutputValue: 'vod-snapshots-prod-quarantinebucket-1x2y3z' },
  { OutputKey: 'EventBusName', OutputValue: 'vod-snapshots-prod' },
  { OutputKey: 'AlarmTopicArn', OutputValue: 'arn:aws:sns:ap-southeast-1:123456789012:alarms' },
  { OutputKey: 'SnapshotsTableName', OutputValue: 'vod-snapshots-prod' },
  { OutputKey: 'ResultTtlDays', OutputValue: '90' },
  { OutputKey: 'VodRegion', OutputValue: 'ap-guangzhou' },
  { OutputKey: 'ServerlessDeploymentBucketName', OutputValue: 'vod-snapshots-prod-serverlessdep' },
]
const client = () => new CloudFormationClient({ region: 'ap-southeast-1' })
const failureOf = async (promise: Promise<unknown>) => {
  const error = await promise.catch((e: unknown) => e)
  expect(error).toBeInstanceOf(StageOutputsError)
  return (error as Error).message
}

beforeEach(() => {
  cloudFormation.reset()
})

describe('npm run stage', () => {
  it("reads the stack vod-snapshots-<stage>'s outputs with one DescribeStacks", async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'vod-snapshots-prod', Outputs: OUTPUTS } as never] })

    const outputs = await readStageOutputs(client(), 'prod', 'ap-southeast-1')

    expect(cloudFormation.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([
      { StackName: 'vod-snapshots-prod' },
    ])
    expect(outputs).toStrictEqual(
      Object.fromEntries(OUTPUTS.map(({ OutputKey, OutputValue }) => [OutputKey, OutputValue])),
    )
  })

  it('prints the lines every operator command reads, and unsets the local endpoints', async () => {
    const outputs = Object.fromEntries(OUTPUTS.map((o) => [o.OutputKey, o.OutputValue]))

    expect(stageEnvironment('ap-southeast-1', outputs)).toStrictEqual({
      lines: [
        'export AWS_REGION=ap-southeast-1',
        'export TABLE_NAME=vod-snapshots-prod',
        'export QUARANTINE_BUCKET=vod-snapshots-prod-quarantinebucket-1x2y3z',
        `export FALLBACK_DLQ_URL=${DLQ}`,
        'export EVENT_BUS_NAME=vod-snapshots-prod',
        'export RESULT_TTL_DAYS=90',
        'export VOD_REGION=ap-guangzhou',
        'unset DYNAMODB_ENDPOINT S3_ENDPOINT',
      ],
      missing: [],
    })
  })

  it("unsets what the stack has no output for, so another stage's value never stays", () => {
    expect(
      stageEnvironment('eu-west-1', { SnapshotsTableName: 'vod-snapshots-old' }),
    ).toStrictEqual({
      lines: [
        'export AWS_REGION=eu-west-1',
        'export TABLE_NAME=vod-snapshots-old',
        'unset DYNAMODB_ENDPOINT S3_ENDPOINT QUARANTINE_BUCKET FALLBACK_DLQ_URL EVENT_BUS_NAME RESULT_TTL_DAYS VOD_REGION',
      ],
      missing: [
        'QuarantineBucketName',
        'FallbackDeadLetterQueueUrl',
        'EventBusName',
        'ResultTtlDays',
        'VodRegion',
      ],
    })
  })

  it('quotes a value for a POSIX shell only when it needs it', () => {
    const awkward = [`it's $HOME`, 'a b', '`id`', '', 'x"y', 'tab\there', 'new\nline', '*']
    expect(shellWord('vod-snapshots-prod')).toBe('vod-snapshots-prod')
    expect(shellWord(DLQ)).toBe(DLQ)
    expect(shellWord(`it's $HOME`)).toBe(`'it'\\''s $HOME'`)
    expect(shellWord('')).toBe(`''`)
    // What the shell reads back is the value, byte for byte.
    const echoed = awkward.map((value) =>
      execFileSync('sh', ['-c', `printf %s ${shellWord(value)}`], { encoding: 'utf8' }),
    )
    expect(echoed).toStrictEqual(awkward)
  })

  it('says in one line that the stack does not exist in that region', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id vod-snapshots-qa does not exist'), {
        name: 'ValidationError',
      }),
    )

    expect(await failureOf(readStageOutputs(client(), 'qa', 'ap-southeast-1'))).toBe(
      'No stack vod-snapshots-qa in ap-southeast-1: check the stage and --region ' +
        '(deployed with npx serverless deploy --stage <stage> --region <region>)',
    )
  })

  it('says in one line that there are no credentials', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    )

    expect(await failureOf(readStageOutputs(client(), 'prod', 'ap-southeast-1'))).toBe(
      'No AWS credentials to read the stack vod-snapshots-prod: set AWS_PROFILE, or ' +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Could not load credentials from any providers)',
    )
  })

  it('names any other refusal with what AWS answered', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: DescribeStacks\n'), {
        name: 'AccessDenied',
      }),
    )

    expect(await failureOf(readStageOutputs(client(), 'prod', 'ap-southeast-1'))).toBe(
      'Could not read the stack vod-snapshots-prod in ap-southeast-1: AccessDenied: ' +
        'User is not authorized to perform: DescribeStacks\\u000a',
    )
  })

  it('takes the region given, else says there is none', async () => {
    expect(await regionOf(client())).toBe('ap-southeast-1')
    const noRegion = new CloudFormationClient({
      region: () => Promise.reject<string>(new Error('Region is missing')),
    })
    expect(await failureOf(regionOf(noRegion))).toBe(
      'No AWS region: pass --region <region>, or set AWS_REGION',
    )
  })

  it('reads the stage and the region from the command line', () => {
    expect(parseStageArgs(['prod', '--region', 'ap-southeast-1'])).toStrictEqual({
      stage: 'prod',
      region: 'ap-southeast-1',
    })
    expect(parseStageArgs(['dev'])).toStrictEqual({ stage: 'dev', region: undefined })
    expect(parseStageArgs(['--help'])).toBe('help')
    const usage = (argv: string[]) => {
      try {
        parseStageArgs(argv)
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError)
        return (error as Error).message
      }
      throw new Error('no usage error')
    }
    expect(usage([])).toBe('give the stage, as given to serverless deploy --stage')
    expect(usage(['prod', 'qa'])).toBe('one stage at a time, not also qa')
    expect(usage(['pr;od'])).toBe('not a stage name: pr;od')
    expect(usage(['local'])).toBe(
      'the local stage is never deployed: give the commands --local instead',
    )
    expect(usage(['prod', '--region', 'Singapore'])).toBe('not an AWS region: Singapore')
  })
})
