/**
 * `npm run pull -- --once`: one drain of VOD's event queue into the table, as the scheduled
 * function does and with its wiring (handlers/pull.ts): other event types to the bus, invalid
 * events to the quarantine, results expiring as the deployment's do. Usage in
 * lib/pull/pull-cli.ts (`npm run pull -- --help`).
 */

import { S3Client } from '@aws-sdk/client-s3'
import { lazyS3Quarantine } from '../lib/durability/lazy-s3-quarantine'
import { s3BodyStore } from '../lib/forward/claim-check'
import type { EventPublisher } from '../lib/forward/event-publisher'
import { createForwarder } from '../lib/forward/forwarder'
import { httpDeliveryPublisher } from '../lib/forward/http-delivery'
import { lazyEventPublisher } from '../lib/forward/lazy-publisher'
import { readCommandLine } from '../lib/operator/usage-error'
import { type DrainOptions, drainVodQueue } from '../lib/pull/drain'
import {
  describeReport,
  exitCodeOf,
  PULL_USAGE,
  type PullRequest,
  parsePullArgs,
  problemsOf,
} from '../lib/pull/pull-cli'
import { createVodClient } from '../lib/pull/vod-client'
import { createOperatorClient, operatorClientConfig } from '../lib/runtime/dynamodb-client'
import type { Logger, MetricsSink } from '../lib/runtime/log'

/** The scheduled function's time: a drain started by hand stops as it would. */
const DRAIN_MS = 55_000

const line = (message: string, fields?: Record<string, unknown>) =>
  fields ? `${message} ${JSON.stringify(fields)}` : message
const progress: Logger = {
  info: (message, fields) => console.log(line(message, fields)),
  warn: (message, fields) => console.warn(line(message, fields)),
  error: (message, fields) => console.error(line(message, fields)),
}
/** No CloudWatch here: the counts are in the closing lines. */
const noMetrics: MetricsSink = { addMetric() {} }

/** The quarantine's S3 client, built when first needed; local credentials for a local S3. */
function s3ClientFor(endpoint: string | undefined) {
  let client: S3Client | undefined
  return {
    get: async () => {
      if (!client) {
        const { region, credentials } = operatorClientConfig(endpoint, process.env)
        client = new S3Client({
          ...(endpoint === undefined ? {} : { endpoint, region, credentials }),
          // A local S3 answers on one host: no bucket subdomains.
          forcePathStyle: endpoint !== undefined,
        })
      }
      return client
    },
    destroy: () => client?.destroy(),
  }
}

/**
 * The publisher the pull function would build: FORWARD_URL's delivery (the local stack's stand-in
 * for the bus), else the bus. The local delivery posts in the background: `settle` waits for it.
 */
function publisherOf({ busName, forwardUrl }: PullRequest): {
  publisher: EventPublisher | undefined
  settle(): Promise<void>
} {
  if (forwardUrl) {
    const delivery = httpDeliveryPublisher(forwardUrl, progress)
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
    ? `delivered to ${forwardUrl}`
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
  const s3 = s3ClientFor(request.s3Endpoint)
  const bucket = request.quarantineBucket
  const { publisher, settle } = publisherOf(request)
  const forwarding: DrainOptions['forwarding'] = publisher && {
    forwardAll: request.forwardAll,
    forwarder: createForwarder({
      busName: request.busName ?? 'local',
      publisher,
      bodyStore: bucket ? s3BodyStore(s3.get, bucket) : undefined,
      logger: progress,
      metrics: noMetrics,
    }),
  }
  const app = subAppId === undefined ? '' : `, application ${subAppId}`
  console.log(
    `draining VOD's event queue at ${endpoint ?? 'vod.tencentcloudapi.com'}${app} into table ` +
      `${tableName}${dynamodbEndpoint ? ` at ${dynamodbEndpoint}` : ''}`,
  )
  for (const where of whereTo(request)) console.log(where)
  try {
    const report = await drainVodQueue({
      vod: createVodClient({ credentials, region, endpoint }),
      store: {
        client,
        tableName,
        // As the pull function stores: its attempts, and the deployment's expiry.
        options: { maxAttempts: 10, resultTtlDays: request.resultTtlDays },
      },
      logger: progress,
      deadline: Date.now() + DRAIN_MS,
      subAppId,
      forwarding,
      quarantine: bucket ? lazyS3Quarantine(bucket, s3.get) : undefined,
    })
    await settle()
    console.log(describeReport(report))
    for (const problem of problemsOf(report)) console.error(problem)
    return exitCodeOf(report)
  } finally {
    client.destroy()
    s3.destroy()
  }
}

process.exit(await main())
