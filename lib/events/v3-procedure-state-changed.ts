import * as v from 'valibot'
import { type ProcedureResults, procedureResults } from './procedure-results'
import {
  DefinitionSchema,
  FileIdSchema,
  PROCEDURE_EVENT_TYPE,
  SessionStringSchema,
  StatusSchema,
  TaskFlowTimeOffsetSchema,
  TaskIdSchema,
  UrlSchema,
} from './snapshot-result'

/** The subtask type whose results are screenshots by time offset. */
export const V3_SNAPSHOT_SUBTASK = 'SnapshotByTimeOffset'

const SubtaskStatusSchema = v.picklist(
  ['PROCESSING', 'SUCCESS', 'FAIL'],
  'the subtask status must be PROCESSING, SUCCESS or FAIL',
)

const SnapshotSubtaskSchema = v.object({
  Type: v.literal(V3_SNAPSHOT_SUBTASK),
  SnapshotByTimeOffsetTask: v.object({
    Status: SubtaskStatusSchema,
    ErrCode: v.optional(v.nullable(StatusSchema), 0),
    Input: v.object({
      Definition: DefinitionSchema,
      // Deprecated by VOD but still sent: the requested offsets in ms.
      TimeOffsetSet: v.nullish(v.array(TaskFlowTimeOffsetSchema), []),
      ExtTimeOffsetSet: v.nullish(v.array(v.string('each point must be a string')), []),
    }),
    // null while PROCESSING, and possibly for a FAIL.
    Output: v.nullish(
      v.object({
        PicInfoSet: v.nullish(
          v.array(
            v.object({
              TimeOffset: TaskFlowTimeOffsetSchema,
              Url: UrlSchema,
              WaterMarkDefinition: v.nullish(v.array(DefinitionSchema)),
            }),
          ),
          [],
        ),
      }),
    ),
  }),
})

// Any other subtask, whatever its shape. Its key must not be the snapshot type: the variant
// would otherwise fall back to this option when a snapshot subtask is invalid, and accept it.
const OtherSubtaskSchema = v.object({
  Type: v.pipe(
    v.unknown(),
    v.check((type) => type !== V3_SNAPSHOT_SUBTASK),
  ),
})

/**
 * The v3.0 task-flow event. Only its SnapshotByTimeOffset subtasks are checked: Transcode,
 * CoverBySnapshot and the rest keep just their `Type`, whatever else VOD puts in them.
 */
export const V3ProcedureCallbackSchema = v.object({
  EventType: v.literal(PROCEDURE_EVENT_TYPE),
  ProcedureStateChangeEvent: v.object({
    TaskId: TaskIdSchema,
    FileId: FileIdSchema,
    SessionContext: SessionStringSchema,
    SessionId: SessionStringSchema,
    MediaProcessResultSet: v.array(
      v.variant('Type', [SnapshotSubtaskSchema, OtherSubtaskSchema]),
      'MediaProcessResultSet must be an array',
    ),
  }),
})

export type V3ProcedureCallback = v.InferOutput<typeof V3ProcedureCallbackSchema>

/** Whether a v3.0 task-flow body holds a snapshot subtask: only then is it validated and stored. */
export function hasV3SnapshotSubtask(body: Record<string, unknown>): boolean {
  const event = body.ProcedureStateChangeEvent as { MediaProcessResultSet?: unknown } | null
  const set = event?.MediaProcessResultSet
  return (
    Array.isArray(set) &&
    set.some((item) => (item as { Type?: unknown } | null)?.Type === V3_SNAPSHOT_SUBTASK)
  )
}

/** Maps a validated v3.0 task flow to its results (see {@link procedureResults}). */
export function normaliseV3Procedure({
  ProcedureStateChangeEvent: event,
}: V3ProcedureCallback): ProcedureResults {
  const subtasks = event.MediaProcessResultSet.flatMap((item) =>
    'SnapshotByTimeOffsetTask' in item ? [item.SnapshotByTimeOffsetTask] : [],
  )
  return procedureResults(
    {
      taskId: event.TaskId,
      fileId: event.FileId,
      sessionContext: event.SessionContext,
      sessionId: event.SessionId,
    },
    subtasks.map((task) => ({
      status: task.Status,
      errCode: task.ErrCode ?? 0,
      definition: task.Input.Definition,
      requestedMs: task.Input.TimeOffsetSet,
      requestedExt: task.Input.ExtTimeOffsetSet,
      pictures: (task.Output?.PicInfoSet ?? []).map((pic) => ({
        timeOffset: pic.TimeOffset,
        url: pic.Url,
        watermarkDefinitions: pic.WaterMarkDefinition ?? undefined,
      })),
    })),
  )
}
