import type { AddressInfo } from 'node:net'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { buildApp } from 'fauxqs'
import { LOCAL_CREDENTIALS } from '../runtime/local-defaults'
import { type QueueDefinitions, type QueueProperties, toQueueAttributes } from './queue-definitions'

/**
 * How long a received message stays invisible on the local fallback queue. The template's 180 s
 * is six times the redrive's Lambda timeout, as AWS advises for an event source; locally the
 * redrive runs in the same process, one batch at a time, so a message it could not write may
 * come back at once, and reaches the dead-letter queue after maxReceiveCount in seconds.
 */
const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 1

/** An SQS client for a local endpoint. */
export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS })
}

export interface LocalQueues {
  endpoint: string
  port: number
  queueUrl: string
  queueArn: string
  deadLetterQueueUrl: string
  close(): Promise<void>
}

/** An S3 client for a local endpoint, which answers on one host: no bucket subdomains. */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  })
}

/**
 * Starts fauxqs (an SQS and S3 emulator) in this process on `host:port` (0: any free port) and
 * creates the fallback queue and its dead-letter queue as serverless.yml defines them for
 * `stage`, with {@link LOCAL_VISIBILITY_TIMEOUT_SECONDS}, and the S3 `buckets` (the quarantine).
 */
export async function startLocalQueues(
  definitions: QueueDefinitions,
  port = 0,
  host = '127.0.0.1',
  buckets: readonly string[] = [],
): Promise<LocalQueues> {
  const app = buildApp({ logger: false })
  await app.listen({ port, host })
  const actualPort = (app.server.address() as AddressInfo).port
  const endpoint = `http://${host}:${actualPort}`
  const sqs = localSqsClient(endpoint)
  const s3 = localS3Client(endpoint)
  try {
    for (const Bucket of buckets) await s3.send(new CreateBucketCommand({ Bucket }))
    const create = async (name: string, attributes: QueueProperties, deadLetterArn?: string) => {
      const { QueueUrl = '' } = await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: toQueueAttributes(attributes, deadLetterArn),
        }),
      )
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      )
      return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' }
    }
    const { deadLetter, fallback } = definitions
    const dlq = await create(deadLetter.name, deadLetter.attributes)
    const queue = await create(
      fallback.name,
      { ...fallback.attributes, VisibilityTimeout: LOCAL_VISIBILITY_TIMEOUT_SECONDS },
      dlq.arn,
    )
    return {
      endpoint,
      port: actualPort,
      queueUrl: queue.url,
      queueArn: queue.arn,
      deadLetterQueueUrl: dlq.url,
      close: () => app.close(),
    }
  } catch (error) {
    await app.close()
    throw error
  } finally {
    sqs.destroy()
    s3.destroy()
  }
}
