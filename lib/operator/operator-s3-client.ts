import { S3Client } from '@aws-sdk/client-s3'
import { operatorClientConfig } from '../runtime/dynamodb-client'

/**
 * The S3 client an operator command keeps or reads the quarantine with: the SDK's own settings
 * for AWS; for an endpoint (the local stack's), its region and local credentials, and path-style
 * addressing, since a local S3 answers on one host.
 */
export function createOperatorS3Client(
  endpoint: string | undefined,
  env: Record<string, string | undefined>,
): S3Client {
  if (endpoint === undefined) return new S3Client({})
  const { region, credentials } = operatorClientConfig(endpoint, env)
  return new S3Client({ endpoint, region, credentials, forcePathStyle: true })
}
