import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { startFauxqs } from 'fauxqs'
import { LOCAL_CREDENTIALS } from '../../lib/runtime/local-defaults'

/** fauxqs in this process, its S3 with one bucket, for tests of the quarantine. */
export async function startLocalS3(bucket: string) {
  const server = await startFauxqs({ port: 0, logger: false })
  const client = new S3Client({
    endpoint: server.address,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  })
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  return {
    endpoint: server.address,
    port: server.port,
    client,
    async close() {
      client.destroy()
      await server.stop()
    },
  }
}
