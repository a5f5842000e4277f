import { SSMClient } from '@aws-sdk/client-ssm'
import middy from '@middy/core'
import { loadForwardConfig } from '../lib/forward/forward-config'
import { lazyEventPublisher } from '../lib/forward/lazy-publisher'
import { lazyVodClient, loadPullConfig, readTencentCredentials } from '../lib/pull/pull-config'
import { pullDestinations } from '../lib/pull/pull-wiring'
import {
  createReconcileHandler,
  loadReconcileWindow,
  tableCheckpoint,
} from '../lib/reconcile/scheduled-reconcile'
import { createVodTaskApi } from '../lib/reconcile/vod-tasks'
import { createSnapshotsClient } from '../lib/runtime/dynamodb-client'
import { functionLogger, functionMetrics, functionObservability } from '../lib/runtime/log'
import { registerEnvironmentSecrets } from '../lib/runtime/redaction'
import { lazyS3Client } from '../lib/runtime/s3-client'

// Every log line of this function has them replaced, however they are spelled.
registerEnvironmentSecrets(process.env)
// The pull's settings (VOD's region, endpoint, application, key parameter, table, quarantine).
const config = loadPullConfig(process.env)
const { windowMs, lagMs } = loadReconcileWindow(process.env)
const forwardConfig = loadForwardConfig(process.env)
const publisher = lazyEventPublisher(forwardConfig, functionLogger)
const client = createSnapshotsClient({ endpoint: config.dynamodbEndpoint })

// Read once per container; a failed read is tried again by the next invocation.
const vodApi = lazyVodClient(() =>
  readTencentCredentials(new SSMClient({}), config.secretParameter).then((credentials) =>
    createVodTaskApi({ credentials, region: config.vodRegion, endpoint: config.vodEndpoint }),
  ),
)

// As the pull passes things on: recovered results announced on the bus, invalid details kept.
const { forwarding, quarantine } = pullDestinations({
  publisher,
  busName: forwardConfig.busName,
  forwardAll: false,
  bucket: config.quarantineBucket,
  s3: lazyS3Client(),
  logger: functionLogger,
  metrics: functionMetrics,
})

const reconcile = createReconcileHandler({
  vod: vodApi,
  subAppId: config.subAppId,
  road: {
    tableName: config.tableName,
    client,
    logger: functionLogger,
    metrics: functionMetrics,
    storeOptions: { resultTtlDays: config.resultTtlDays },
    forwarding: forwarding && { ...forwarding, durable: false },
  },
  quarantine,
  checkpoint: tableCheckpoint(client, config.tableName),
  windowMs,
  lagMs,
})

// As the other functions: the request ID on every log line, the metrics flushed per invocation.
export const handler = middy(reconcile).use(functionObservability)
