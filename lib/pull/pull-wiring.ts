import type { S3Client } from '@aws-sdk/client-s3'
import { lazyS3Quarantine } from '../durability/lazy-s3-quarantine'
import { s3BodyStore } from '../forward/claim-check'
import type { EventPublisher } from '../forward/event-publisher'
import { createForwarder } from '../forward/forwarder'
import type { Logger, MetricsSink } from '../runtime/log'
import type { StoreOptions } from '../store/snapshot-store'
import type { DrainOptions } from './drain'

/**
 * How the pull stores: more attempts than the HTTP function, since a batch has 10 s, not VOD's
 * 5-second wait.
 */
export const PULL_STORE_OPTIONS = { maxAttempts: 10 } as const satisfies StoreOptions

/**
 * Where the pull passes on what it does not store, and keeps the snapshot events it refuses: the
 * bus (through `publisher`; none: nowhere) and the quarantine bucket (none: nowhere), which also
 * keeps events too large for the bus. One wiring for the scheduled function and `npm run pull`.
 */
export function pullDestinations({
  publisher,
  busName,
  forwardAll,
  bucket,
  s3,
  logger,
  metrics,
}: {
  publisher: EventPublisher | undefined
  busName: string | undefined
  forwardAll: boolean
  bucket: string | undefined
  s3: () => Promise<S3Client>
  logger: Logger
  metrics: MetricsSink
}): Pick<DrainOptions, 'forwarding' | 'quarantine'> {
  return {
    forwarding: publisher && {
      forwardAll,
      forwarder: createForwarder({
        busName: busName ?? 'local',
        publisher,
        bodyStore: bucket ? s3BodyStore(s3, bucket) : undefined,
        logger,
        metrics,
      }),
    },
    quarantine: bucket ? lazyS3Quarantine(bucket, s3) : undefined,
  }
}
