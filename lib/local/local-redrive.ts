import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger'
import { createRedriveHandler } from '../durability/redrive'
import { httpDeliveryPublisher } from '../forward/http-delivery'
import { redriveForwarding } from '../forward/redrive-forwarding'
import { createSnapshotsClient } from '../runtime/dynamodb-client'
import { LOCAL_CREDENTIALS } from '../runtime/local-defaults'
import type { Logger } from '../runtime/log'
import { type LocalQueues, localSqsClient } from './local-queues'
import type { QueueDefinitions } from './queue-definitions'
import { type SqsEventSource, startSqsEventSource } from './sqs-event-source'

/**
 * Runs the redrive on the local fallback queue as Lambda would run it in AWS: the same handler
 * and DynamoDB client settings as handlers/redrive.ts, fed by {@link startSqsEventSource} with
 * the batch size and timeout serverless.yml gives the function. Metrics are dropped: there is no
 * CloudWatch locally.
 */
export function startLocalRedrive({
  queues,
  definitions,
  dynamodbEndpoint,
  tableName,
  functionName,
  forwardUrl,
}: {
  /** FORWARD_URL: where the local stand-in for the bus delivers events. */
  forwardUrl?: string
  queues: LocalQueues
  definitions: QueueDefinitions
  dynamodbEndpoint: string
  tableName: string
  functionName: string
}): SqsEventSource {
  const client = createSnapshotsClient({
    endpoint: dynamodbEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    requestHandler: { connectionTimeout: 500, requestTimeout: 2000 },
  })
  // The service name the deployed redrive logs under on this stage (POWERTOOLS_SERVICE_NAME).
  const powertools = new PowertoolsLogger({ serviceName: functionName.replace(/-redrive$/, '') })
  const logger: Logger = {
    info: (message, fields = {}) => powertools.info(message, fields),
    warn: (message, fields = {}) => powertools.warn(message, fields),
    error: (message, fields = {}) => powertools.error(message, fields),
  }
  const metrics = { addMetric() {} }
  const sqs = localSqsClient(queues.endpoint)
  const source = startSqsEventSource({
    sqs,
    queueUrl: queues.queueUrl,
    queueArn: queues.queueArn,
    functionName,
    batchSize: definitions.redrive.batchSize,
    timeoutSeconds: definitions.redrive.timeoutSeconds,
    handler: createRedriveHandler({
      tableName,
      client,
      logger,
      metrics,
      forwarding:
        forwardUrl === undefined
          ? undefined
          : redriveForwarding({
              publisher: httpDeliveryPublisher(forwardUrl, logger),
              busName: 'local',
              logger,
              metrics,
            }),
    }),
    onError: (error) => logger.error('local redrive failed', { reason: (error as Error).message }),
  })
  return {
    async stop() {
      await source.stop()
      sqs.destroy()
      client.destroy()
    },
  }
}
