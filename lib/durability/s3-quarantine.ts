import type { S3Client } from '@aws-sdk/client-s3'
import {
  parseQuarantined,
  QUARANTINE_PREFIX,
  type Quarantine,
  type QuarantineSummary,
  summarise,
} from './quarantine'

// S3 user metadata is US-ASCII and at most 2 KB in all: the listing's fields, encoded and cut
// (two of 500 and two IDs of at most 128 characters, 384 encoded, stay under it).
// A lone surrogate (a problem's path may quote a received key) would make encodeURIComponent
// throw: it becomes U+FFFD in the listing only, the kept body is untouched.
const metadataValue = (text: string | undefined) =>
  text === undefined ? undefined : encodeURIComponent(text.toWellFormed()).slice(0, 500)
const decoded = (text: string | undefined) => {
  if (text === undefined) return undefined
  try {
    return decodeURIComponent(text)
  } catch {
    // cut in the middle of an escape: what is left before it
    return decodeURIComponent(text.replace(/%[0-9A-F]?$/i, ''))
  }
}

/**
 * The quarantine in an S3 bucket: one JSON object per callback under {@link QUARANTINE_PREFIX},
 * with what `--list` shows in the object's metadata so a listing reads no body.
 */
export function s3Quarantine(client: S3Client, bucket: string): Quarantine {
  // Imported when used, not at the top: the functions' bundles leave the S3 client to the Lambda
  // runtime, and a static import would load it on every cold start.
  const s3 = () => import('@aws-sdk/client-s3')
  const key = (id: string) => `${QUARANTINE_PREFIX}${id}.json`
  return {
    async keep(entry, signal) {
      const summary = summarise(entry)
      const metadata: Record<string, string> = {
        receivedat: entry.receivedAt,
        statuscode: String(entry.statusCode),
        bodybytes: String(summary.bytes),
      }
      const listed = {
        eventtype: summary.eventType,
        taskid: summary.taskId,
        fileid: summary.fileId,
        firstproblem: summary.firstProblem,
      }
      for (const [name, text] of Object.entries(listed)) {
        const value = metadataValue(text)
        if (value) metadata[name] = value
      }
      await client.send(
        new (await s3()).PutObjectCommand({
          Bucket: bucket,
          Key: key(entry.id),
          Body: JSON.stringify(entry),
          ContentType: 'application/json',
          Metadata: metadata,
        }),
        { abortSignal: signal },
      )
    },

    async list() {
      const summaries: QuarantineSummary[] = []
      let ContinuationToken: string | undefined
      do {
        const page = await client.send(
          new (await s3()).ListObjectsV2Command({
            Bucket: bucket,
            Prefix: QUARANTINE_PREFIX,
            ContinuationToken,
          }),
        )
        for (const object of page.Contents ?? []) {
          if (!object.Key?.endsWith('.json')) continue
          const head = await client.send(
            new (await s3()).HeadObjectCommand({ Bucket: bucket, Key: object.Key }),
          )
          const meta = head.Metadata ?? {}
          summaries.push({
            id: object.Key.slice(QUARANTINE_PREFIX.length, -'.json'.length),
            receivedAt: meta.receivedat ?? object.LastModified?.toISOString() ?? '',
            statusCode: Number(meta.statuscode ?? 0),
            eventType: decoded(meta.eventtype),
            // Absent from entries kept before they were recorded.
            ...(meta.taskid === undefined ? {} : { taskId: decoded(meta.taskid) }),
            ...(meta.fileid === undefined ? {} : { fileId: decoded(meta.fileid) }),
            firstProblem: decoded(meta.firstproblem),
            bytes: meta.bodybytes === undefined ? object.Size : Number(meta.bodybytes),
          })
        }
        ContinuationToken = page.NextContinuationToken
      } while (ContinuationToken)
      return summaries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    },

    async get(id) {
      try {
        const object = await client.send(
          new (await s3()).GetObjectCommand({ Bucket: bucket, Key: key(id) }),
        )
        return parseQuarantined((await object.Body?.transformToString('utf8')) ?? '')
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return undefined
        throw error
      }
    },

    async remove(id) {
      await client.send(new (await s3()).DeleteObjectCommand({ Bucket: bucket, Key: key(id) }))
    },
  }
}
