/**
 * `npm run reconcile -- --since <time>`: writes the screenshot results VOD finished in the
 * window but the table lacks, asking VOD's task API (lib/reconcile). Usage in
 * lib/reconcile/reconcile-cli.ts (`npm run reconcile -- --help`).
 */
import { lazyS3Quarantine } from '../lib/durability/lazy-s3-quarantine'
import { createOperatorS3Client } from '../lib/operator/operator-s3-client'
import { operatorLog, terminalProgress } from '../lib/operator/progress'
import { forTerminal } from '../lib/operator/terminal-text'
import { readCommandLine } from '../lib/operator/usage-error'
import { reconcile } from '../lib/reconcile/reconcile'
import {
  describeReconcile,
  parseReconcileArgs,
  RECONCILE_USAGE,
  reconcileExitCode,
  reconcileProgressLine,
} from '../lib/reconcile/reconcile-cli'
import { createVodTaskApi } from '../lib/reconcile/vod-tasks'
import { createOperatorClient } from '../lib/runtime/dynamodb-client'
import { noMetrics } from '../lib/runtime/log'
import { registerEnvironmentSecrets } from '../lib/runtime/redaction'

// Everything but the report goes to stderr: --json's stdout is the report alone.
registerEnvironmentSecrets(process.env)
const progress = operatorLog()

async function main(): Promise<number> {
  const commandLine = readCommandLine(
    () => parseReconcileArgs(process.argv.slice(2), process.env),
    RECONCILE_USAGE,
  )
  if ('exitCode' in commandLine) return commandLine.exitCode
  const { request } = commandLine
  const { credentials, region, endpoint, subAppId, tableName, dynamodbEndpoint } = request
  const client = createOperatorClient(dynamodbEndpoint, process.env)
  const s3 = createOperatorS3Client(request.s3Endpoint, process.env)
  console.error(
    `reconciling ${request.since.toISOString()} to ${request.until.toISOString()} from VOD at ` +
      `${endpoint ?? 'vod.tencentcloudapi.com'}${subAppId === undefined ? '' : `, application ${subAppId}`} ` +
      `into table ${tableName}${dynamodbEndpoint ? ` at ${dynamodbEndpoint}` : ''}` +
      `${request.dryRun ? ' (dry run)' : ''}`,
  )
  const showProgress = terminalProgress(process.stderr, { everyMs: 5000 })
  try {
    const report = await reconcile(
      { since: request.since, until: request.until },
      {
        vod: createVodTaskApi({ credentials, region, endpoint }),
        subAppId,
        road: {
          tableName,
          client,
          logger: progress,
          metrics: noMetrics,
          storeOptions: { resultTtlDays: request.resultTtlDays },
        },
        quarantine: request.quarantineBucket
          ? lazyS3Quarantine(request.quarantineBucket, async () => s3)
          : undefined,
        dryRun: request.dryRun,
        // On a terminal, a line every 5 s of a long run; in a log or a pipe, only the report.
        onPage: (report) => showProgress(() => reconcileProgressLine(report)),
      },
    )
    if (report.error) console.error(forTerminal(`stopped: ${report.error}`))
    // Still JSON: a control character becomes the \uXXXX escape JSON reads as that character.
    console.log(
      forTerminal(
        request.json ? JSON.stringify(report) : describeReconcile(report, request.dryRun),
      ),
    )
    return reconcileExitCode(report)
  } finally {
    client.destroy()
    s3.destroy()
  }
}

process.exit(await main())
