import type { S3Client } from '@aws-sdk/client-s3'
import { requestTimeouts } from './request-timeouts'

/**
 * An S3 client built on first use: only a rejected callback or an oversized event needs one, and
 * importing the S3 client would slow every cold start. `endpoint` is a local S3 (the local
 * stack's); undefined in AWS.
 */
export function lazyS3Client(endpoint?: string): () => Promise<S3Client> {
  let client: Promise<S3Client> | undefined
  return () => {
    client ??= import('@aws-sdk/client-s3').then(
      ({ S3Client }) =>
        new S3Client({
          maxAttempts: 2,
          requestHandler: requestTimeouts(300, 2000),
          // A local S3 answers on one host: no bucket subdomains.
          ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
        }),
    )
    return client
  }
}
