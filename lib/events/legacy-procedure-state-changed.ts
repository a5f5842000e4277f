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
  StatusSchema,
  TaskFlowTimeOffsetSchema,
  UrlSchema,
} from './snapshot-result'

const SnapshotSubtaskSchema = v.object({
  taskType: v.literal(SNAPSHOT_SUBTASK_TYPE),
  status: v.picklist(
    ['PROCESSING', 'SUCCESS', 'FAIL'],
    'the subtask status must be PROCESSING, SUCCESS or FAIL',
  ),
  errCode: v.optional(v.nullable(StatusSchema), 0),
  input: v.object({
    definition: DefinitionSchema,
    timeOffset: v.nullish(v.array(TaskFlowTimeOffsetSchema), []),
  }),
  // Absent while PROCESSING, and possibly for a FAIL.
  output: v.nullish(
    v.object({
      imgInfo: v.nullish(
        v.array(v.object({ timeOffset: TaskFlowTimeOffsetSchema, url: UrlSchema })),
        [],
      ),
    }),
  ),
})

/**
 * The legacy ("v2.0" callback, `version` "4.0") task-flow event, validated whatever its
 * subtasks: vodTaskId, fileId and a task list that is an array (null: no media results). A
 * SnapshotByTimeOffset subtask is checked whole; Transcode, SampleSnapshot and the rest keep
 * just their `taskType`.
 */
export const LegacyProcedureCallbackSchema = v.object({
  version: v.picklist(['4.0', 4], 'the version must be "4.0" or 4'),
  eventType: v.literal(PROCEDURE_EVENT_TYPE),
  data: v.pipe(
    v.object(
      {
        vodTaskId: CallbackTaskIdSchema,
        fileId: FileIdSchema,
        processTaskList: subtaskListSchema('taskType', SnapshotSubtaskSchema, 'processTaskList'),
      },
      'data must be an object',
    ),
    subtaskListRequired('processTaskList'),
  ),
})

export type LegacyProcedureCallback = v.InferOutput<typeof LegacyProcedureCallbackSchema>

/**
 * Maps a validated legacy task flow to its results (see {@link procedureResults}). The format
 * has no session or watermark fields, so every result is `partial`: merged into its item.
 */
export function normaliseLegacyProcedure({
  data,
}: LegacyProcedureCallback): ProcedureResults & { snapshotSubtasks: number } {
  const subtasks = (data.processTaskList ?? []).flatMap((item) => ('status' in item ? [item] : []))
  const normalised = procedureResults(
    { taskId: data.vodTaskId, fileId: data.fileId, partial: true },
    subtasks.map((task) => ({
      status: task.status,
      errCode: task.errCode ?? 0,
      definition: task.input.definition,
      requestedMs: task.input.timeOffset,
      requestedExt: [],
      pictures: (task.output?.imgInfo ?? []).map((img) => ({
        timeOffset: img.timeOffset,
        url: img.url,
      })),
    })),
  )
  return { ...normalised, snapshotSubtasks: subtasks.length }
}
