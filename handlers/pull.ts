import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { SSMClient } from '@aws-sdk/client-ssm'
import middy from '@middy/core'
import { loadPullConfig, readTencentCredentials } from '../lib/pull/pull-config'
import { createPullHandler, lazyVodClient } from '../lib/pull/scheduled-drain'
import { createVodClient } from '../lib/pull/vod-client'
import { createSnapshotsClient } from '../lib/runtime/dynamodb-client'
import { powertoolsLogger } from '../lib/runtime/log'

const config = loadPullConfig(process.env)

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
})

// The request ID on every log line, as in the other functions.
export const handler = middy(pull).use(injectLambdaContext(powertoolsLogger))
