import type { SnapshotItem } from '../../lib/store/snapshot-item'

export const TASK_ID = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'
export const FILE_ID = '14508071098244929440'

/** A stored item as the table holds it: a success with a URL unless told otherwise (null: none). */
export function snapshotItem(
  timeOffset: number,
  {
    status = 0,
    url,
    vodTaskId = TASK_ID,
  }: { status?: number; url?: string | null; vodTaskId?: string } = {},
): SnapshotItem {
  const item: SnapshotItem = {
    vodTaskId,
    timeOffset,
    fileId: FILE_ID,
    definition: 10,
    status,
    eventType: 'CreateSnapshotByTimeOffsetComplete',
    receivedAt: '2026-11-24T03:00:00.000Z',
  }
  const standard = `http://125xx.vod2.myqcloud.com/vod125xx/${FILE_ID}/${timeOffset}.png`
  const stored = url === undefined ? (status === 0 ? standard : undefined) : url
  if (typeof stored === 'string') item.url = stored
  return item
}
