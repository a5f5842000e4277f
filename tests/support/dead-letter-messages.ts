import { toFallbackMessages } from '../../lib/durability/fallback-message'
import { toSnapshotItem } from '../../lib/store/snapshot-item'

/** The fallback dead-letter queue of the unit tests (its SQS client is mocked). */
export const DLQ_URL =
  'https://sqs.us-east-1.amazonaws.com/123456789012/vod-snapshots-test-fallback-dlq'

/** The body of a fallback message holding one result of `task`, as the queue holds it. */
export const fallbackBody = (task: string): string =>
  JSON.stringify(
    toFallbackMessages([
      toSnapshotItem(
        { vodTaskId: task, fileId: '1', definition: 10, timeOffset: 0, status: 0 },
        '2026-11-24T03:00:00.000Z',
      ),
    ])[0],
  )
