import type { QueueAttributeName } from '@aws-sdk/client-sqs'
import { readServiceDefinition } from './service-definition'

/** A queue's Properties in serverless.yml, QueueName aside. */
export type QueueProperties = Record<string, unknown>

/** The fallback queue, its dead-letter queue and the redrive's event source, as deployed. */
export interface QueueDefinitions {
  fallback: { name: string; attributes: QueueProperties }
  deadLetter: { name: string; attributes: QueueProperties }
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
  const yml = await readServiceDefinition()
  const resources = yml.resources.Resources
  const fallback = resources.FallbackQueue?.Properties
  const deadLetter = resources.FallbackDeadLetterQueue?.Properties
  if (!fallback || !deadLetter) {
    throw new Error('serverless.yml has no FallbackQueue or FallbackDeadLetterQueue resource')
  }
  const redrive = yml.functions?.redrive
  const sqsEvent = redrive?.events?.find((event) => event.sqs)?.sqs as
    | { batchSize?: number }
    | undefined
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
export function toQueueAttributes(properties: QueueProperties, deadLetterArn?: string) {
  const attributes: Partial<Record<QueueAttributeName, string>> = {}
  for (const [name, value] of Object.entries(properties)) {
    if (name === 'RedrivePolicy') {
      const { maxReceiveCount, deadLetterTargetArn } = value as {
        maxReceiveCount: number
        deadLetterTargetArn?: { 'Fn::GetAtt'?: string[] }
      }
      if (deadLetterTargetArn?.['Fn::GetAtt']?.[0] !== 'FallbackDeadLetterQueue') {
        throw new Error('serverless.yml: the RedrivePolicy must target FallbackDeadLetterQueue')
      }
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
