import * as v from 'valibot'
import {
  OtherSubtaskTypeSchema,
  type ProcedureResults,
  procedureResults,
  SNAPSHOT_SUBTASK_TYPE,
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

/** The legacy subtask type whose results are screenshots by time offset. */
const LEGACY_SNAPSHOT_SUBTASK = SNAPSHOT_SUBTASK_TYPE

const SnapshotSubtaskSchema = v.object({
  taskType: v.literal(LEGACY_SNAPSHOT_SUBTASK),
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

// Any other subtask: only its type is checked, whatever else VOD puts in it.
const OtherSubtaskSchema = v.object(
  { taskType: OtherSubtaskTypeSchema },
  'each subtask must be an object',
)

const SubtaskSchema = v.lazy((item: unknown) =>
  (item as { taskType?: unknown } | null)?.taskType === LEGACY_SNAPSHOT_SUBTASK
    ? SnapshotSubtaskSchema
    : OtherSubtaskSchema,
)

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
        processTaskList: v.optional(
          v.nullable(v.array(SubtaskSchema, 'processTaskList must be an array')),
        ),
      },
      'data must be an object',
    ),
    // Absent is not null: a body without its task list is not one with no results.
    v.forward(
      v.check((data) => data.processTaskList !== undefined, 'processTaskList must be an array'),
      ['processTaskList'],
    ),
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
