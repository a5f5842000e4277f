import { fixture } from './fixtures'

/** The event content (v3.0 shape) PullEvents gives, less its EventHandle. */
export type VodEvent = Record<string, unknown>

const FILE_ID = '14508071098244929440'

/** The v3.0 fixture with another task ID and one successful screenshot per offset. */
export function snapshotEvent(vodTaskId: string, offsets: readonly number[]): VodEvent {
  const event = fixture('v3-snapshot-success')
  event.SnapshotByTimeOffsetCompleteEvent = {
    TaskId: vodTaskId,
    FileId: FILE_ID,
    Definition: 10,
    SnapshotInfoSet: offsets.map((offset) => ({
      ErrCode: 0,
      TimeOffset: offset,
      Url: `http://125676836723.vod2.myqcloud.com/xxx/${vodTaskId}/${offset}.png`,
    })),
  }
  return event
}

/** A snapshot event that can never be stored: a negative time offset. */
export function invalidSnapshotEvent(vodTaskId: string): VodEvent {
  const event = snapshotEvent(vodTaskId, [1000])
  const info = (event.SnapshotByTimeOffsetCompleteEvent as { SnapshotInfoSet: object[] })
    .SnapshotInfoSet
  info[0] = { ErrCode: 0, TimeOffset: -1, Url: 'http://125676836723.vod2.myqcloud.com/x.png' }
  return event
}

const OTHER_TYPES = ['NewFileUpload', 'ProcedureStateChanged', 'FileDeleted'] as const

/** An event of another type, shaped as VOD sends it (payload under its own key). */
export function otherEvent(n: number): VodEvent {
  const type = OTHER_TYPES[n % OTHER_TYPES.length] ?? 'NewFileUpload'
  const payload: Record<string, VodEvent> = {
    NewFileUpload: { FileUploadEvent: { FileId: `52858907842735${n}`, ProcedureTaskId: '' } },
    ProcedureStateChanged: {
      ProcedureStateChangeEvent: {
        TaskId: `1256-Procedure-${n}`,
        Status: 'FINISH',
        FileId: FILE_ID,
        MediaProcessResultSet: [],
      },
    },
    FileDeleted: { FileDeleteEvent: { FileIdSet: [`52858907842735${n}`] } },
  }
  return { EventType: type, SnapshotByTimeOffsetCompleteEvent: null, ...payload[type] }
}

/** The keys `task#offset` a snapshot event stands for. */
export function keysOf(event: VodEvent): string[] {
  const content = event.SnapshotByTimeOffsetCompleteEvent as {
    TaskId: string
    SnapshotInfoSet: { TimeOffset: number }[]
  }
  return content.SnapshotInfoSet.map((info) => `${content.TaskId}#${info.TimeOffset}`)
}
