import { lazySqsFallbackQueue } from '../lib/durability/lazy-fallback-queue'
import { lazyS3Quarantine } from '../lib/durability/lazy-s3-quarantine'
import { s3BodyStore } from '../lib/forward/claim-check'
import { loadForwardConfig } from '../lib/forward/forward-config'
import { lazyEventPublisher } from '../lib/forward/lazy-publisher'
import { createCallbackHandler } from '../lib/receive/callback-handler'
import { loadConfig } from '../lib/runtime/config'
import { createSnapshotsClient } from '../lib/runtime/dynamodb-client'
import { functionLogger, functionObservability } from '../lib/runtime/log'
import { registerEnvironmentSecrets } from '../lib/runtime/redaction'
import { lazyS3Client } from '../lib/runtime/s3-client'

// Every log line of this function has them replaced, however they are spelled.
registerEnvironmentSecrets(process.env)
const config = loadConfig(process.env)
const forwardConfig = loadForwardConfig(process.env)
const fallback = config.fallbackQueueUrl
  ? lazySqsFallbackQueue(config.fallbackQueueUrl, config.sqsEndpoint)
  : undefined
const s3 = lazyS3Client(config.s3Endpoint)
const publisher = lazyEventPublisher(forwardConfig, functionLogger)

export const handler = createCallbackHandler({
  config,
  // One client per container, built before the first callback arrives.
  client: createSnapshotsClient({ endpoint: config.dynamodbEndpoint }),
  fallback,
  quarantine: config.quarantineBucket ? lazyS3Quarantine(config.quarantineBucket, s3) : undefined,
  forwarding: publisher && {
    publisher,
    busName: forwardConfig.busName ?? 'local',
    fallback,
    bodyStore: config.quarantineBucket ? s3BodyStore(s3, config.quarantineBucket) : undefined,
    all: forwardConfig.forwardAll,
  },
  observability: [functionObservability],
})
