import { SSMClient } from '@aws-sdk/client-ssm'
import middy from '@middy/core'
import { loadForwardConfig } from '../lib/forward/forward-config'
import { lazyEventPublisher } from '../lib/forward/lazy-publisher'
import { lazyVodClient, loadPullConfig, readTencentCredentials } from '../lib/pull/pull-config'
import { PULL_STORE_OPTIONS, pullDestinations } from '../lib/pull/pull-wiring'
import { createPullHandler } from '../lib/pull/scheduled-drain'
import { createVodClient } from '../lib/pull/vod-client'
import { createSnapshotsClient } from '../lib/runtime/dynamodb-client'
import { functionLogger, functionMetrics, functionObservability } from '../lib/runtime/log'
import { registerEnvironmentSecrets } from '../lib/runtime/redaction'
import { lazyS3Client } from '../lib/runtime/s3-client'

// Every log line of this function has them replaced, however they are spelled.
registerEnvironmentSecrets(process.env)
const config = loadPullConfig(process.env)
const forwardConfig = loadForwardConfig(process.env)
const publisher = lazyEventPublisher(forwardConfig, functionLogger)

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
      requestTimeoutMs: 2000,
    }),
    options: { ...PULL_STORE_OPTIONS, resultTtlDays: config.resultTtlDays },
  },
  subAppId: config.subAppId,
  ...pullDestinations({
    publisher,
    busName: forwardConfig.busName,
    forwardAll: forwardConfig.forwardAll,
    bucket: config.quarantineBucket,
    s3: lazyS3Client(),
    logger: functionLogger,
    metrics: functionMetrics,
  }),
})

// The request ID on every log line and the metrics flushed once per invocation, as in the other
// functions: the pull's quarantine and forwarding alarms watch those metrics.
export const handler = middy(pull).use(functionObservability)
