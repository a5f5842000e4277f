import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb'
import { STORE_CONCURRENCY } from '../store/snapshot-store'
import { LOCAL_CREDENTIALS } from './local-defaults'
import { requestTimeouts } from './request-timeouts'

/**
 * The client the functions write with (the store builds its AttributeValues itself). The SDK's
 * own retries are off (the store retries under its deadline) and its timeouts end a request:
 * 0.5 s to connect, `requestTimeoutMs` (1.5 s) for the rest. The other settings override the
 * defaults: the endpoint, or a request handler in tests and benchmarks.
 */
export function createSnapshotsClient({
  requestTimeoutMs = 1500,
  ...overrides
}: DynamoDBClientConfig & { requestTimeoutMs?: number } = {}): DynamoDBClient {
  // A request the store gave up on at its deadline keeps its socket until its own timeout: room
  // for such a round and the next callback's whole round (the SDK's default is 50 sockets).
  const agent = { maxSockets: 2 * STORE_CONCURRENCY }
  const client = new DynamoDBClient({
    maxAttempts: 1,
    requestHandler: {
      ...requestTimeouts(500, requestTimeoutMs),
      httpAgent: agent,
      httpsAgent: agent,
    },
    ...overrides,
  })
  // The SDK's logger middleware copies every request and response for a logger the functions
  // never set: about a sixth of a callback's CPU (npm run bench).
  client.middlewareStack.remove('loggerMiddleware')
  return client
}

/**
 * The settings of an operator command's client (query, pull, replay): none of its own for AWS
 * (the SDK's chain decides region and credentials, and its retries stay on); for an endpoint, a
 * region (any works locally) and, unless the environment names credentials, local ones.
 */
export function operatorClientConfig(
  endpoint: string | undefined,
  env: Record<string, string | undefined>,
): DynamoDBClientConfig {
  if (endpoint === undefined) return {}
  const ownCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE)
  return {
    endpoint,
    region: env.AWS_REGION || 'us-east-1',
    ...(ownCredentials ? {} : { credentials: LOCAL_CREDENTIALS }),
  }
}

/** The client an operator command writes the table with (query reads through a document client). */
export function createOperatorClient(
  endpoint: string | undefined,
  env: Record<string, string | undefined>,
): DynamoDBClient {
  return new DynamoDBClient(operatorClientConfig(endpoint, env))
}
