import middy from '@middy/core'
import { createRedriveHandler } from '../lib/durability/redrive'
import { loadForwardConfig } from '../lib/forward/forward-config'
import { lazyEventPublisher } from '../lib/forward/lazy-publisher'
import { redriveForwarding } from '../lib/forward/redrive-forwarding'
import { loadRedriveConfig } from '../lib/runtime/config'
import { createSnapshotsClient } from '../lib/runtime/dynamodb-client'
import { functionLogger, functionMetrics, functionObservability } from '../lib/runtime/log'
import { registerEnvironmentSecrets } from '../lib/runtime/redaction'

// Every log line of this function has them replaced, however they are spelled.
registerEnvironmentSecrets(process.env)
const config = loadRedriveConfig(process.env)
const forwardConfig = loadForwardConfig(process.env)
const publisher = lazyEventPublisher(forwardConfig, functionLogger)

const redrive = createRedriveHandler({
  tableName: config.tableName,
  storeOptions: { resultTtlDays: config.resultTtlDays },
  client: createSnapshotsClient({
    endpoint: config.dynamodbEndpoint,
    requestTimeoutMs: 2000,
  }),
  forwarding:
    publisher &&
    redriveForwarding({
      publisher,
      busName: forwardConfig.busName ?? 'local',
      logger: functionLogger,
      metrics: functionMetrics,
    }),
})

export const handler = middy(redrive).use(functionObservability)
