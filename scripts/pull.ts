/**
 * `npm run pull -- --once`: one drain of VOD's event queue into the table, as the scheduled
 * function does and with its wiring (handlers/pull.ts): other event types to the bus, invalid
 * events to the quarantine, results expiring as the deployment's do. Usage in
 * lib/pull/pull-cli.ts (`npm run pull -- --help`).
 */

import type { EventPublisher } from '../lib/forward/event-publisher'
import { httpDeliveryPublisher } from '../lib/forward/http-delivery'
import { lazyEventPublisher } from '../lib/forward/lazy-publisher'
import { maskUrl } from '../lib/forward/masked-url'
import { createOperatorS3Client } from '../lib/operator/operator-s3-client'
import { operatorLog, terminalProgress } from '../lib/operator/progress'
import { forTerminal, textForTerminal } from '../lib/operator/terminal-text'
import { readCommandLine } from '../lib/operator/usage-error'
import { drainVodQueue } from '../lib/pull/drain'
import {
  describeReport,
  exitCodeOf,
  PULL_USAGE,
  type PullRequest,
  parsePullArgs,
  problemsOf,
} from '../lib/pull/pull-cli'
import { PULL_STORE_OPTIONS, pullDestinations } from '../lib/pull/pull-wiring'
import { createVodClient } from '../lib/pull/vod-client'
import { createOperatorClient } from '../lib/runtime/dynamodb-client'
import { noMetrics } from '../lib/runtime/log'
import { registerEnvironmentSecrets } from '../lib/runtime/redaction'

/** The scheduled function's time: a drain started by hand stops as it would. */
const DRAIN_MS = 55_000

// Every secret of the environment (the API key, FORWARD_URL's) is replaced in every line.
registerEnvironmentSecrets(process.env)
const progress = operatorLog(console.log)
/**
 * The publisher the pull function would build: FORWARD_URL's delivery (the local stack's stand-in
 * for the bus), else the bus. Here the delivery waits for the receiver: without a dead-letter
 * queue behind it, an event is confirmed only once the receiver took it.
 */
function publisherOf({ busName, forwardUrl }: PullRequest): {
  publisher: EventPublisher | undefined
  settle(): Promise<void>
} {
  if (forwardUrl) {
    const delivery = httpDeliveryPublisher(forwardUrl, progress, { awaitReceiver: true })
    return { publisher: delivery, settle: () => delivery.idle() }
  }
  return {
    publisher: lazyEventPublisher({ busName, forwardUrl: undefined }, progress),
    settle: async () => {},
  }
}

const whereTo = (request: PullRequest): string[] => {
  const { busName, forwardUrl, forwardAll, quarantineBucket, s3Endpoint } = request
  const others = forwardUrl
    ? `delivered to ${maskUrl(forwardUrl)}`
    : busName
      ? `put on bus ${busName}`
      : "left in VOD's queue (no bus)"
  return [
    `other event types${forwardAll ? ' and the snapshot events' : ''}: ${others}`,
    `invalid snapshot events: ${
      quarantineBucket
        ? `kept in bucket ${quarantineBucket}${s3Endpoint ? ` at ${s3Endpoint}` : ''}`
        : "left in VOD's queue (no quarantine)"
    }`,
  ]
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
  const s3 = createOperatorS3Client(request.s3Endpoint, process.env)
  const { publisher, settle } = publisherOf(request)
  const destinations = pullDestinations({
    publisher,
    busName: request.busName,
    forwardAll: request.forwardAll,
    bucket: request.quarantineBucket,
    s3: async () => s3,
    logger: progress,
    metrics: noMetrics,
  })
  const app = subAppId === undefined ? '' : `, application ${subAppId}`
  console.log(
    `draining VOD's event queue at ${endpoint ?? 'vod.tencentcloudapi.com'}${app} into table ` +
      `${tableName}${dynamodbEndpoint ? ` at ${dynamodbEndpoint}` : ''}`,
  )
  for (const where of whereTo(request)) console.log(where)
  // A drain lasts up to 55 s: on a terminal, stderr says how far it is.
  const showProgress = terminalProgress()
  try {
    const report = await drainVodQueue({
      vod: createVodClient({ credentials, region, endpoint }),
      store: {
        client,
        tableName,
        // As the pull function stores: its attempts, and the deployment's expiry.
        options: { ...PULL_STORE_OPTIONS, resultTtlDays: request.resultTtlDays },
      },
      logger: progress,
      deadline: Date.now() + DRAIN_MS,
      subAppId,
      ...destinations,
      onBatch: ({ pulled, confirmed }) =>
        showProgress(() => `pulled ${pulled} event(s) so far, ${confirmed} confirmed…`),
    })
    await settle()
    console.log(textForTerminal(describeReport(report)))
    for (const problem of problemsOf(report)) console.error(forTerminal(problem))
    return exitCodeOf(report)
  } finally {
    client.destroy()
    s3.destroy()
  }
}

process.exit(await main())
