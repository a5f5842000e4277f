import type { Logger } from '../runtime/log'
import { requestTimeouts } from '../runtime/request-timeouts'
import type { EventPublisher } from './event-publisher'
import type { ForwardConfig } from './forward-config'

/**
 * The publisher the settings name, its code and client loaded on the first event: the local
 * stack's delivery to `forwardUrl`, else EventBridge. Undefined when neither is set: then
 * nothing is published.
 */
export function lazyEventPublisher(
  { busName, forwardUrl }: Pick<ForwardConfig, 'busName' | 'forwardUrl'>,
  logger: Logger,
): EventPublisher | undefined {
  if (!forwardUrl && !busName) return undefined
  let publisher: Promise<EventPublisher> | undefined
  const load = () => {
    publisher ??= forwardUrl
      ? import('./http-delivery').then(({ httpDeliveryPublisher }) =>
          httpDeliveryPublisher(forwardUrl, logger),
        )
      : Promise.all([import('@aws-sdk/client-eventbridge'), import('./event-publisher')]).then(
          ([{ EventBridgeClient }, { eventBridgePublisher }]) =>
            eventBridgePublisher(
              new EventBridgeClient({
                maxAttempts: 1,
                requestHandler: requestTimeouts(300, 1000),
              }),
            ),
        )
    return publisher
  }
  return { publish: async (entries, signal) => (await load()).publish(entries, signal) }
}
