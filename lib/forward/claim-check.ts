import type { S3Client } from '@aws-sdk/client-s3'

/** Where an event too large for EventBridge is kept, under this prefix of the kept-bodies bucket. */
const OVERSIZED_PREFIX = 'oversized-events/'

/** Keeps a body in S3 and says where: what the bus carries in place of a body over 256 KB. */
export interface BodyStore {
  keep(id: string, body: string, signal?: AbortSignal): Promise<{ bucket: string; key: string }>
}

/** The body store in `bucket`, under {@link OVERSIZED_PREFIX}. */
export function s3BodyStore(client: () => Promise<S3Client>, bucket: string): BodyStore {
  return {
    async keep(id, body, signal) {
      const { PutObjectCommand } = await import('@aws-sdk/client-s3')
      const key = `${OVERSIZED_PREFIX}${id}.json`
      await (await client()).send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
        }),
        { abortSignal: signal },
      )
      return { bucket, key }
    },
  }
}
