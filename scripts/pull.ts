/**
 * `npm run pull -- --once`: one drain of VOD's event queue into the table, as the scheduled
 * function does, from an operator's machine. Usage in lib/pull-cli.ts (`npm run pull -- --help`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { Logger } from '../lib/log'
import { describeReport, exitCodeOf, PULL_USAGE, parsePullArgs } from '../lib/pull-cli'
import { clientConfig } from '../lib/query-cli'
import { UsageError } from '../lib/usage-error'
import { createVodClient } from '../lib/vod-client'
import { drainVodQueue } from '../lib/vod-pull'
import { LOCAL_CREDENTIALS } from './local-dynamodb'

// The SDK's notice about the Node.js version is noise in every operator's run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

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
  let request: ReturnType<typeof parsePullArgs>
  try {
    request = parsePullArgs(process.argv.slice(2), process.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    console.error(`${error.message}\n\n${PULL_USAGE}`)
    return 2
  }
  if (request === 'help') {
    console.log(PULL_USAGE)
    return 0
  }

  const { credentials, region, endpoint, subAppId, tableName, dynamodbEndpoint } = request
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient(clientConfig(dynamodbEndpoint, process.env, LOCAL_CREDENTIALS)),
  )
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
