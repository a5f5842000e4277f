import type { SnapshotItem } from '../store/snapshot-item'

/** The detail of `SnapshotResultsStored`: what an application needs to read the results. */
export interface SnapshotResultsStoredDetail {
  /** The ID the application holds: the task flow's TaskId, or the 2017 task's ID. */
  taskId: string
  /** The partition keys the results are stored under (docs/contract.md, "Task flows"). */
  vodTaskIds: string[]
  fileId: string
  /** The screenshot templates. */
  definitions: number[]
  /** Items written by this callback, failures included. */
  stored: number
  /** Of those, screenshots VOD reported as failed (status other than 0). */
  failed: number
  eventType: string
  receivedAt: string
  sessionContext?: string
  sessionId?: string
  /** `reconcile` when VOD's task API had the results and no callback delivered them. */
  origin?: string
}

const unique = <T>(values: T[]): T[] => [...new Set(values)]

/**
 * The announcement of one callback's stored items (one per key: duplicates were collapsed
 * before they were written, a success winning over a failure).
 * @returns undefined for a callback without results: nothing was stored
 */
export function announcementOf(
  results: readonly Pick<
    SnapshotItem,
    'vodTaskId' | 'fileId' | 'definition' | 'status' | 'sessionContext' | 'sessionId'
  >[],
  {
    taskId,
    eventType,
    receivedAt,
    stored,
    origin,
  }: Pick<SnapshotResultsStoredDetail, 'taskId' | 'eventType' | 'receivedAt' | 'stored' | 'origin'>,
): SnapshotResultsStoredDetail | undefined {
  const [first] = results
  if (!first) return undefined
  return {
    taskId,
    vodTaskIds: unique(results.map((result) => result.vodTaskId)),
    fileId: first.fileId,
    definitions: unique(results.map((result) => result.definition)),
    stored,
    failed: results.filter((result) => result.status !== 0).length,
    eventType,
    receivedAt,
    ...(first.sessionContext === undefined ? {} : { sessionContext: first.sessionContext }),
    ...(first.sessionId === undefined ? {} : { sessionId: first.sessionId }),
    ...(origin === undefined ? {} : { origin }),
  }
}
