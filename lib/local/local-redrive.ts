import { createRedriveHandler } from '../durability/redrive'
import { createSnapshotsClient } from '../runtime/dynamodb-client'
import { LOCAL_CREDENTIALS } from '../runtime/local-defaults'
import { functionLogger } from '../runtime/log'
import type { LocalQueues, QueueDefinitions } from './local-queues'
import { localSqsClient } from './local-queues'
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
}: {
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
  const sqs = localSqsClient(queues.endpoint)
  const source = startSqsEventSource({
    sqs,
    queueUrl: queues.queueUrl,
    queueArn: queues.queueArn,
    functionName,
    batchSize: definitions.redrive.batchSize,
    timeoutSeconds: definitions.redrive.timeoutSeconds,
    handler: createRedriveHandler({ tableName, client, metrics: { addMetric() {} } }),
    onError: (error) =>
      functionLogger.error('local redrive failed', { reason: (error as Error).message }),
  })
  return {
    async stop() {
      await source.stop()
      sqs.destroy()
      client.destroy()
    },
  }
}
