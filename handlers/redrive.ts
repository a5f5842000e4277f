import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import middy from '@middy/core'
import { createRedriveHandler } from '../lib/durability/redrive'
import { loadRedriveConfig } from '../lib/runtime/config'
import { createSnapshotsClient } from '../lib/runtime/dynamodb-client'
import { functionMetrics, powertoolsLogger } from '../lib/runtime/log'

const config = loadRedriveConfig(process.env)

const redrive = createRedriveHandler({
  tableName: config.tableName,
  storeOptions: { resultTtlDays: config.resultTtlDays },
  client: createSnapshotsClient({
    endpoint: config.dynamodbEndpoint,
    requestHandler: { connectionTimeout: 500, requestTimeout: 2000 },
  }),
})

export const handler = middy(redrive)
  .use(injectLambdaContext(powertoolsLogger))
  .use(logMetrics(functionMetrics))
