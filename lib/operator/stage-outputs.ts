import { parseArgs } from 'node:util'
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type Output,
} from '@aws-sdk/client-cloudformation'
import { errorMessage } from '../runtime/log'
import { forTerminal, shellWord } from './terminal-text'
import { asUsage, UsageError } from './usage-error'

/** Printed for --help and after every usage error. */
export const STAGE_USAGE = `Usage: eval "$(npm run -s stage -- <stage> [--region <region>])"

Prints the environment the operator commands (replay, quarantine, query, pull, reconcile) need
for a deployed stage, read from the outputs of the CloudFormation stack vod-snapshots-<stage>,
as POSIX shell lines to paste or eval: AWS_REGION, TABLE_NAME, QUARANTINE_BUCKET,
FALLBACK_DLQ_URL, EVENT_BUS_NAME, RESULT_TTL_DAYS and VOD_REGION. DYNAMODB_ENDPOINT and
S3_ENDPOINT are unset, so nothing left from the local stack redirects a command; a variable whose output the stack lacks is unset.

  <stage>           the stage given to serverless deploy --stage
  --region <region> the stack's region (default: the AWS SDK's, e.g. AWS_REGION or the profile's)
  --help            this text

Credentials come from the usual AWS SDK settings and need cloudformation:DescribeStacks.
Exit codes: 0 printed, 1 the stack could not be read (missing, no credentials, no region),
2 usage error.`

/** Each output of serverless.yml's `Outputs` an operator command reads, and its variable. */
const STAGE_VARIABLES = {
  SnapshotsTableName: 'TABLE_NAME',
  QuarantineBucketName: 'QUARANTINE_BUCKET',
  FallbackDeadLetterQueueUrl: 'FALLBACK_DLQ_URL',
  EventBusName: 'EVENT_BUS_NAME',
  ResultTtlDays: 'RESULT_TTL_DAYS',
  VodRegion: 'VOD_REGION',
} as const

/** Pointing at a deployed stage, these (the local stack's endpoints) must not be set. */
const LOCAL_ONLY = ['DYNAMODB_ENDPOINT', 'S3_ENDPOINT']

/** `vod-snapshots-<stage>`, as serverless.yml's service and stage name the stack. */
export const stackNameOf = (stage: string): string => `vod-snapshots-${stage}`

/** The stack could not be read: `message` is the one line to print. */
export class StageOutputsError extends Error {
  override name = 'StageOutputsError'
}

/**
 * Reads the command line: the stage, and the region when given.
 * @throws {UsageError} naming what is wrong
 */
export function parseStageArgs(
  argv: readonly string[],
): { stage: string; region: string | undefined } | 'help' {
  const { values, positionals } = asUsage(() =>
    parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: { region: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }),
  )
  if (values.help) return 'help'
  const [stage, ...extra] = positionals
  if (!stage) throw new UsageError('give the stage, as given to serverless deploy --stage')
  if (extra.length > 0) throw new UsageError(`one stage at a time, not also ${extra.join(' ')}`)
  // Serverless names stages with letters, digits and hyphens; anything else is no stack of ours.
  if (!/^[A-Za-z0-9-]+$/.test(stage)) throw new UsageError(`not a stage name: ${stage}`)
  if (stage === 'local') {
    throw new UsageError('the local stage is never deployed: give the commands --local instead')
  }
  const { region } = values
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new UsageError(`not an AWS region: ${region}`)
  }
  return { stage, region }
}

/**
 * The region the client reads from: the one it was given, else the AWS SDK's (AWS_REGION, the
 * profile's).
 * @throws {StageOutputsError} when there is none
 */
export async function regionOf(cloudFormation: CloudFormationClient): Promise<string> {
  try {
    return await cloudFormation.config.region()
  } catch (error) {
    throw new StageOutputsError('No AWS region: pass --region <region>, or set AWS_REGION', {
      cause: error,
    })
  }
}

/**
 * The outputs of the stage's stack, by key.
 * @throws {StageOutputsError} one line: the stack does not exist in the region, no credentials,
 * no region, or what AWS answered
 */
export async function readStageOutputs(
  cloudFormation: CloudFormationClient,
  stage: string,
  region: string,
): Promise<Record<string, string>> {
  const stackName = stackNameOf(stage)
  let outputs: Output[]
  try {
    const { Stacks = [] } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    )
    outputs = Stacks[0]?.Outputs ?? []
  } catch (error) {
    throw new StageOutputsError(describeStageFailure(error, stackName, region), { cause: error })
  }
  return Object.fromEntries(
    outputs.flatMap(({ OutputKey, OutputValue }) =>
      OutputKey && OutputValue !== undefined ? [[OutputKey, OutputValue]] : [],
    ),
  )
}

function describeStageFailure(error: unknown, stackName: string, region: string): string {
  const { name } = (error ?? {}) as { name?: string }
  const message = errorMessage(error)
  // CloudFormation says a missing stack with a ValidationError, not a not-found error.
  if (name === 'ValidationError' && /does not exist/.test(message)) {
    return `No stack ${stackName} in ${region}: check the stage and --region (deployed with npx serverless deploy --stage <stage> --region <region>)`
  }
  if (name === 'CredentialsProviderError' || /credentials/i.test(message)) {
    return `No AWS credentials to read the stack ${stackName}: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (${forTerminal(message)})`
  }
  return `Could not read the stack ${stackName} in ${region}: ${forTerminal(name ?? 'Error')}: ${forTerminal(message)}`
}

/**
 * The lines to eval: the region, each variable whose output the stack has, and `unset` for the
 * local stack's endpoints and for each variable whose output it lacks (so that no value of
 * another stage stays). `missing` names those outputs, for a note on stderr.
 */
export function stageEnvironment(
  region: string,
  outputs: Record<string, string>,
): { lines: string[]; missing: string[] } {
  const lines = [`export AWS_REGION=${shellWord(region)}`]
  const unset = [...LOCAL_ONLY]
  const missing: string[] = []
  for (const [output, variable] of Object.entries(STAGE_VARIABLES)) {
    const value = outputs[output]
    if (value === undefined) {
      missing.push(output)
      unset.push(variable)
    } else {
      lines.push(`export ${variable}=${shellWord(value)}`)
    }
  }
  lines.push(`unset ${unset.join(' ')}`)
  return { lines, missing }
}
