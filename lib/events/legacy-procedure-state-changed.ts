import * as v from 'valibot'
import { type ProcedureResults, procedureResults } from './procedure-results'
import {
  DefinitionSchema,
  FileIdSchema,
  PROCEDURE_EVENT_TYPE,
  StatusSchema,
  TaskFlowTimeOffsetSchema,
  TaskIdSchema,
  UrlSchema,
} from './snapshot-result'

/** The legacy subtask type whose results are screenshots by time offset. */
export const LEGACY_SNAPSHOT_SUBTASK = 'SnapshotByTimeOffset'

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

// Any other subtask, whatever its shape. Its key must not be the snapshot type: the variant
// would otherwise fall back to this option when a snapshot subtask is invalid, and accept it.
const OtherSubtaskSchema = v.object({
  taskType: v.pipe(
    v.unknown(),
    v.check((type) => type !== LEGACY_SNAPSHOT_SUBTASK),
  ),
})

/**
 * The legacy ("v2.0" callback, `version` "4.0") task-flow event. Only its SnapshotByTimeOffset
 * subtasks are checked: Transcode, SampleSnapshot and the rest keep just their `taskType`.
 */
export const LegacyProcedureCallbackSchema = v.object({
  version: v.picklist(['4.0', 4], 'the version must be "4.0" or 4'),
  eventType: v.literal(PROCEDURE_EVENT_TYPE),
  data: v.object({
    vodTaskId: TaskIdSchema,
    fileId: FileIdSchema,
    processTaskList: v.array(
      v.variant('taskType', [SnapshotSubtaskSchema, OtherSubtaskSchema]),
      'processTaskList must be an array',
    ),
  }),
})

export type LegacyProcedureCallback = v.InferOutput<typeof LegacyProcedureCallbackSchema>

/** Whether a legacy task-flow body holds a snapshot subtask: only then is it validated and stored. */
export function hasLegacySnapshotSubtask(body: Record<string, unknown>): boolean {
  const list = (body.data as { processTaskList?: unknown } | null)?.processTaskList
  return (
    Array.isArray(list) &&
    list.some(
      (item) => (item as { taskType?: unknown } | null)?.taskType === LEGACY_SNAPSHOT_SUBTASK,
    )
  )
}

/** Maps a validated legacy task flow to its results (see {@link procedureResults}). */
export function normaliseLegacyProcedure({ data }: LegacyProcedureCallback): ProcedureResults {
  const subtasks = data.processTaskList.flatMap((item) => ('status' in item ? [item] : []))
  return procedureResults(
    { taskId: data.vodTaskId, fileId: data.fileId },
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
}
