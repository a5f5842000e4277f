import type { Quarantine } from './quarantine'

/**
 * The S3 quarantine in `bucket`, its client loaded on the first rejected callback only: most
 * containers never reject one, and importing the S3 client would slow every cold start.
 * `endpoint` is a local S3 (the local stack's); undefined in AWS.
 */
export function lazyS3Quarantine(bucket: string, endpoint?: string): Quarantine {
  let quarantine: Promise<Quarantine> | undefined
  const load = () => {
    quarantine ??= Promise.all([import('@aws-sdk/client-s3'), import('./s3-quarantine')]).then(
      ([{ S3Client }, { s3Quarantine }]) =>
        s3Quarantine(
          new S3Client({
            maxAttempts: 2,
            requestHandler: { connectionTimeout: 300, requestTimeout: 2000 },
            // A local S3 answers on one host: no bucket subdomains.
            ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
          }),
          bucket,
        ),
    )
    return quarantine
  }
  return {
    keep: async (entry, signal) => (await load()).keep(entry, signal),
    list: async () => (await load()).list(),
    get: async (id) => (await load()).get(id),
    remove: async (id) => (await load()).remove(id),
  }
}
