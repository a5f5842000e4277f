import type { S3Client } from '@aws-sdk/client-s3'
import type { Quarantine } from './quarantine'

/** The S3 quarantine in `bucket`, its code and client loaded on the first rejected callback. */
export function lazyS3Quarantine(bucket: string, client: () => Promise<S3Client>): Quarantine {
  let quarantine: Promise<Quarantine> | undefined
  const load = () => {
    quarantine ??= Promise.all([client(), import('./s3-quarantine')]).then(
      ([s3, { s3Quarantine }]) => s3Quarantine(s3, bucket),
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
