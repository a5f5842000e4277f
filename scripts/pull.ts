/**
 * `npm run pull -- --once`: one drain of VOD's event queue into the table, as the scheduled
 * function does, from an operator's machine. Usage in lib/pull-cli.ts (`npm run pull -- --help`).
 */

import { readCommandLine } from '../lib/operator/usage-error'
import { drainVodQueue } from '../lib/pull/drain'
import { describeReport, exitCodeOf, PULL_USAGE, parsePullArgs } from '../lib/pull/pull-cli'
import { createVodClient } from '../lib/pull/vod-client'
import { createOperatorClient } from '../lib/runtime/dynamodb-client'
import type { Logger } from '../lib/runtime/log'

/** The scheduled function's time: a drain started by hand stops as it would. */
const DRAIN_MS = 55_000

const line = (message: string, fields?: Record<string, unknown>) =>
  fields ? `${message} ${JSON.stringify(fields)}` : message
const progress: Logger = {
  info: (message, fields) => console.log(line(message, fields)),
  warn: (message, fields) => console.warn(line(message, fields)),
  error: (message, fields) => console.error(line(message, fields)),
}

async function main(): Promise<number> {
  const commandLine = readCommandLine(
    () => parsePullArgs(process.argv.slice(2), process.env),
    PULL_USAGE,
  )
  if ('exitCode' in commandLine) return commandLine.exitCode
  const { request } = commandLine

  const { credentials, region, endpoint, subAppId, tableName, dynamodbEndpoint } = request
  const client = createOperatorClient(dynamodbEndpoint, process.env)
  const app = subAppId === undefined ? '' : `, application ${subAppId}`
  console.log(
    `draining VOD's event queue at ${endpoint ?? 'vod.tencentcloudapi.com'}${app} into table ` +
      `${tableName}${dynamodbEndpoint ? ` at ${dynamodbEndpoint}` : ''}`,
  )
  const report = await drainVodQueue({
    vod: createVodClient({ credentials, region, endpoint }),
    store: { client, tableName },
    logger: progress,
    deadline: Date.now() + DRAIN_MS,
    subAppId,
  })
  console.log(describeReport(report))
  return exitCodeOf(report)
}

process.exit(await main())
