import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import { SSMClient } from '@aws-sdk/client-ssm'
import middy from '@middy/core'
import { lazyS3Quarantine } from '../lib/durability/lazy-s3-quarantine'
import { s3BodyStore } from '../lib/forward/claim-check'
import { loadForwardConfig } from '../lib/forward/forward-config'
import { createForwarder } from '../lib/forward/forwarder'
import { lazyEventPublisher } from '../lib/forward/lazy-publisher'
import { loadPullConfig, readTencentCredentials } from '../lib/pull/pull-config'
import { createPullHandler, lazyVodClient } from '../lib/pull/scheduled-drain'
import { createVodClient } from '../lib/pull/vod-client'
import { createSnapshotsClient } from '../lib/runtime/dynamodb-client'
import { functionLogger, functionMetrics, powertoolsLogger } from '../lib/runtime/log'
import { lazyS3Client } from '../lib/runtime/s3-client'

const config = loadPullConfig(process.env)
const forwardConfig = loadForwardConfig(process.env)
const publisher = lazyEventPublisher(forwardConfig, functionLogger)
const bucket = config.quarantineBucket
const s3 = lazyS3Client()

const pull = createPullHandler({
  vod: lazyVodClient(async () =>
    createVodClient({
      credentials: await readTencentCredentials(new SSMClient({}), config.secretParameter),
      region: config.vodRegion,
      endpoint: config.vodEndpoint,
    }),
  ),
  store: {
    tableName: config.tableName,
    client: createSnapshotsClient({
      endpoint: config.dynamodbEndpoint,
      requestHandler: { connectionTimeout: 500, requestTimeout: 2000 },
    }),
    // More attempts than the HTTP function: a batch has 10 s, not VOD's 5-second wait.
    options: { maxAttempts: 10, resultTtlDays: config.resultTtlDays },
  },
  subAppId: config.subAppId,
  quarantine: bucket ? lazyS3Quarantine(bucket, s3) : undefined,
  forwarding: publisher && {
    forwardAll: forwardConfig.forwardAll,
    forwarder: createForwarder({
      busName: forwardConfig.busName ?? 'local',
      publisher,
      bodyStore: bucket ? s3BodyStore(s3, bucket) : undefined,
      logger: functionLogger,
      metrics: functionMetrics,
    }),
  },
})

// The request ID on every log line and the metrics flushed once per invocation, as in the other
// functions: the pull's quarantine and forwarding alarms watch those metrics.
export const handler = middy(pull)
  .use(injectLambdaContext(powertoolsLogger))
  .use(logMetrics(functionMetrics))
