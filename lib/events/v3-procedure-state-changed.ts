import * as v from 'valibot'
import {
  type ProcedureResults,
  procedureResults,
  SNAPSHOT_SUBTASK_TYPE,
  subtaskListRequired,
  subtaskListSchema,
} from './procedure-results'
import {
  CallbackTaskIdSchema,
  DefinitionSchema,
  FileIdSchema,
  PROCEDURE_EVENT_TYPE,
  SessionStringSchema,
  StatusSchema,
  TaskFlowTimeOffsetSchema,
  UrlSchema,
  WatermarkDefinitionsSchema,
} from './snapshot-result'

const SubtaskStatusSchema = v.picklist(
  ['PROCESSING', 'SUCCESS', 'FAIL'],
  'the subtask status must be PROCESSING, SUCCESS or FAIL',
)

const SnapshotSubtaskSchema = v.object({
  Type: v.literal(SNAPSHOT_SUBTASK_TYPE),
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
              WaterMarkDefinition: v.nullish(WatermarkDefinitionsSchema),
            }),
          ),
          [],
        ),
      }),
    ),
  }),
})

/**
 * The v3.0 task-flow event, validated whatever its subtasks: TaskId, FileId and a result set
 * that is an array (null: no media results). A SnapshotByTimeOffset subtask is checked whole;
 * Transcode, CoverBySnapshot and the rest keep just their `Type`.
 */
export const V3ProcedureCallbackSchema = v.object({
  EventType: v.literal(PROCEDURE_EVENT_TYPE),
  ProcedureStateChangeEvent: v.pipe(
    v.object(
      {
        TaskId: CallbackTaskIdSchema,
        FileId: FileIdSchema,
        SessionContext: SessionStringSchema,
        SessionId: SessionStringSchema,
        MediaProcessResultSet: subtaskListSchema(
          'Type',
          SnapshotSubtaskSchema,
          'MediaProcessResultSet',
        ),
      },
      'ProcedureStateChangeEvent must be an object',
    ),
    subtaskListRequired('MediaProcessResultSet'),
  ),
})

export type V3ProcedureCallback = v.InferOutput<typeof V3ProcedureCallbackSchema>

/** Maps a validated v3.0 task flow to its results (see {@link procedureResults}). */
export function normaliseV3Procedure({
  ProcedureStateChangeEvent: event,
}: V3ProcedureCallback): ProcedureResults & { snapshotSubtasks: number } {
  const subtasks = (event.MediaProcessResultSet ?? []).flatMap((item) =>
    'SnapshotByTimeOffsetTask' in item ? [item.SnapshotByTimeOffsetTask] : [],
  )
  const normalised = procedureResults(
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
  return { ...normalised, snapshotSubtasks: subtasks.length }
}
