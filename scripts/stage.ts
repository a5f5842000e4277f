/**
 * `eval "$(npm run -s stage -- <stage> --region <region>)"`: the environment every operator
 * command needs for a deployed stage, from its stack's outputs. Usage in
 * lib/operator/stage-outputs.ts (`npm run stage -- --help`).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation'
import {
  parseStageArgs,
  readStageOutputs,
  regionOf,
  STAGE_USAGE,
  StageOutputsError,
  stackNameOf,
  stageEnvironment,
} from '../lib/operator/stage-outputs'
import { forTerminal } from '../lib/operator/terminal-text'
import { readCommandLine } from '../lib/operator/usage-error'

async function main(): Promise<number> {
  const commandLine = readCommandLine(() => parseStageArgs(process.argv.slice(2)), STAGE_USAGE)
  if ('exitCode' in commandLine) return commandLine.exitCode
  const { stage, region } = commandLine.request
  const cloudFormation = new CloudFormationClient(region ? { region } : {})
  try {
    const resolved = await regionOf(cloudFormation)
    const outputs = await readStageOutputs(cloudFormation, stage, resolved)
    const { lines, missing } = stageEnvironment(resolved, outputs)
    // stdout is what eval runs: notes go to stderr.
    for (const output of missing) {
      console.error(
        forTerminal(`${stackNameOf(stage)} has no output ${output}: deploy it again to get it`),
      )
    }
    console.log(lines.join('\n'))
    return 0
  } catch (error) {
    if (!(error instanceof StageOutputsError)) throw error
    console.error(forTerminal(error.message))
    return 1
  } finally {
    cloudFormation.destroy()
  }
}

process.exitCode = await main()
