import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  SQSClient,
} from '@aws-sdk/client-sqs'
import { buildApp } from 'fauxqs'
import { parse } from 'yaml'
import { LOCAL_CREDENTIALS } from '../runtime/local-defaults'

const SERVERLESS_YML = new URL('../../serverless.yml', import.meta.url)

/**
 * How long a received message stays invisible on the local fallback queue. The template's 180 s
 * is six times the redrive's Lambda timeout, as AWS advises for an event source; locally the
 * redrive runs in the same process, one batch at a time, so a message it could not write may
 * come back at once, and reaches the dead-letter queue after maxReceiveCount in seconds.
 */
export const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 1

type Properties = Record<string, unknown>

/** The fallback queue, its dead-letter queue and the redrive's event source, as deployed. */
export interface QueueDefinitions {
  fallback: { name: string; attributes: Properties }
  deadLetter: { name: string; attributes: Properties }
  /** The redrive's SQS event: batchSize; and the function's timeout in seconds. */
  redrive: { batchSize: number; timeoutSeconds: number }
}

/** `${self:service}` and `${sls:stage}` in a name from serverless.yml. */
function resolveName(text: unknown, service: string, stage: string): string {
  const name = String(text).replace(/\$\{(self:service|sls:stage)\}/g, (_, variable) =>
    variable === 'self:service' ? service : stage,
  )
  if (name.includes('${')) throw new Error(`serverless.yml: cannot resolve the queue name ${name}`)
  return name
}

/**
 * The `FallbackQueue` and `FallbackDeadLetterQueue` resources and the redrive function's event
 * source, read from serverless.yml for `stage`: the local queues and the deployed ones come from
 * one definition.
 */
export async function readQueueDefinitions(stage: string): Promise<QueueDefinitions> {
  const yml = parse(await readFile(SERVERLESS_YML, 'utf8'))
  const resources = yml?.resources?.Resources ?? {}
  const fallback = resources.FallbackQueue?.Properties as Properties | undefined
  const deadLetter = resources.FallbackDeadLetterQueue?.Properties as Properties | undefined
  if (!fallback || !deadLetter) {
    throw new Error('serverless.yml has no FallbackQueue or FallbackDeadLetterQueue resource')
  }
  const redrive = yml.functions?.redrive
  const sqsEvent = redrive?.events?.find((event: { sqs?: unknown }) => event.sqs)?.sqs
  const { QueueName: fallbackName, ...fallbackAttributes } = fallback
  const { QueueName: deadLetterName, ...deadLetterAttributes } = deadLetter
  return {
    fallback: {
      name: resolveName(fallbackName, yml.service, stage),
      attributes: fallbackAttributes,
    },
    deadLetter: {
      name: resolveName(deadLetterName, yml.service, stage),
      attributes: deadLetterAttributes,
    },
    redrive: {
      batchSize: Number(sqsEvent?.batchSize ?? 10),
      timeoutSeconds: Number(redrive?.timeout ?? yml.provider?.timeout ?? 6),
    },
  }
}

/** CreateQueue's attributes: strings, the RedrivePolicy as JSON with the DLQ's ARN resolved. */
function toAttributes(properties: Properties, deadLetterArn?: string) {
  const attributes: Partial<Record<QueueAttributeName, string>> = {}
  for (const [name, value] of Object.entries(properties)) {
    if (name === 'RedrivePolicy') {
      const { maxReceiveCount } = value as { maxReceiveCount: number }
      if (!deadLetterArn) throw new Error('a RedrivePolicy needs the dead-letter queue first')
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: deadLetterArn,
        maxReceiveCount,
      })
    } else {
      attributes[name as QueueAttributeName] = String(value)
    }
  }
  return attributes
}

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

/**
 * Starts fauxqs (an SQS emulator) in this process on `host:port` (0: any free port) and creates
 * the fallback queue and its dead-letter queue as serverless.yml defines them for `stage`, with
 * {@link LOCAL_VISIBILITY_TIMEOUT_SECONDS}.
 */
export async function startLocalQueues(
  definitions: QueueDefinitions,
  port = 0,
  host = '127.0.0.1',
): Promise<LocalQueues> {
  const app = buildApp({ logger: false })
  await app.listen({ port, host })
  const actualPort = (app.server.address() as AddressInfo).port
  const endpoint = `http://${host}:${actualPort}`
  const sqs = localSqsClient(endpoint)
  try {
    const create = async (name: string, attributes: Properties, deadLetterArn?: string) => {
      const { QueueUrl = '' } = await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: toAttributes(attributes, deadLetterArn),
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
  }
}
