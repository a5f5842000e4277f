import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'

/**
 * The document client the functions write with. The SDK's own retries are off (the store
 * retries under its deadline) and its timeouts are explicit; `overrides` set the endpoint, or a
 * request handler in tests and benchmarks.
 */
export function createSnapshotsClient(
  overrides: DynamoDBClientConfig = {},
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1500 },
    ...overrides,
  })
  // The SDK's logger middleware copies every request and response for a logger the functions
  // never set: about a sixth of a callback's CPU (npm run bench).
  client.middlewareStack.remove('loggerMiddleware')
  return DynamoDBDocumentClient.from(client)
}
