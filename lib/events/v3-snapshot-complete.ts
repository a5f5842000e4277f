import * as v from 'valibot'
import {
  CallbackTaskIdSchema,
  DefinitionSchema,
  FileIdSchema,
  SNAPSHOT_EVENT_TYPE,
  type SnapshotResult,
  StatusSchema,
  TimeOffsetSchema,
  UrlSchema,
} from './snapshot-result'

/**
 * The v3.0 snapshot event: PascalCase names, the payload under `SnapshotByTimeOffsetCompleteEvent`.
 * The sibling `...Event` keys (null or absent) and any unknown field are dropped.
 */
export const V3SnapshotCallbackSchema = v.object({
  EventType: v.literal(SNAPSHOT_EVENT_TYPE),
  SnapshotByTimeOffsetCompleteEvent: v.object({
    TaskId: CallbackTaskIdSchema,
    FileId: FileIdSchema,
    Definition: DefinitionSchema,
    SnapshotInfoSet: v.array(
      v.object({ TimeOffset: TimeOffsetSchema, ErrCode: StatusSchema, Url: UrlSchema }),
      'SnapshotInfoSet must be an array',
    ),
  }),
})

export type V3SnapshotCallback = v.InferOutput<typeof V3SnapshotCallbackSchema>

/** Maps a validated v3.0 callback to one domain result per screenshot. */
export function normaliseV3Callback({
  SnapshotByTimeOffsetCompleteEvent: event,
}: V3SnapshotCallback): SnapshotResult[] {
  return event.SnapshotInfoSet.map((info) => ({
    vodTaskId: event.TaskId,
    fileId: event.FileId,
    definition: event.Definition,
    timeOffset: info.TimeOffset,
    status: info.ErrCode,
    url: info.Url,
  }))
}
