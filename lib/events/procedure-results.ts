import * as v from 'valibot'
import {
  MIN_DYNAMODB_NUMBER,
  PROCEDURE_EVENT_TYPE,
  type SnapshotResult,
  spelledLike,
  UNCODED_FAILURE_STATUS,
} from './snapshot-result'

/** The subtask type whose results are screenshots by time offset, in both formats. */
export const SNAPSHOT_SUBTASK_TYPE = 'SnapshotByTimeOffset'

/** One SnapshotByTimeOffset subtask of a task flow, whichever format it came in. */
export interface SnapshotSubtask {
  status: 'PROCESSING' | 'SUCCESS' | 'FAIL'
  errCode: number
  /** The screenshot template: the subtask's input definition. */
  definition: number
  /** The offsets asked for: ms (`TimeOffsetSet`) and "3.5s" / "10%" strings (`ExtTimeOffsetSet`). */
  requestedMs: readonly number[]
  requestedExt: readonly string[]
  pictures: readonly { timeOffset: number; url?: string; watermarkDefinitions?: number[] }[]
}

/** The task flow the subtasks belong to. */
export interface Procedure {
  taskId: string
  fileId: string
  sessionContext?: string
  sessionId?: string
  /** The format lacks some of the item's attributes: every result is `partial` (a merge). */
  partial?: true
}

/** A task flow's results, and the failed points that have no definite offset to key them by. */
export interface ProcedureResults {
  results: SnapshotResult[]
  unkeyedFailures: number
}

/**
 * The `vodTaskId` of each snapshot subtask, in order: `<TaskId>#<definition>`, and
 * `<TaskId>#<definition>#<n>` for the n-th occurrence (n ≥ 2, in list order) of a template that
 * occurs again in the same flow. The rule does not depend on how many subtasks a delivery lists:
 * a subtask keeps its key whether or not the flow's other subtasks are listed with it, and a
 * template's first occurrence keeps its key whether or not its repeats are. Callbacks' task IDs
 * hold no `#` (see CallbackTaskIdSchema), so no task ID makes another task's key.
 */
export function subtaskTaskIds(taskId: string, definitions: readonly number[]): string[] {
  const seen = new Map<number, number>()
  return definitions.map((definition) => {
    const n = (seen.get(definition) ?? 0) + 1
    seen.set(definition, n)
    return n === 1 ? `${taskId}#${definition}` : `${taskId}#${definition}#${n}`
  })
}

/**
 * The check the type of every subtask that is not exactly the snapshot type gets, in either
 * format: a string, and not a misspelt snapshot type. Such a subtask is refused, never skipped
 * as another type: its screenshots would be lost.
 */
const OtherSubtaskTypeSchema = v.pipe(
  v.string('the subtask type must be a string'),
  v.check(
    (type: string) => !spelledLike(type, SNAPSHOT_SUBTASK_TYPE),
    `must be "${SNAPSHOT_SUBTASK_TYPE}"`,
  ),
)

/**
 * A task flow's list of subtasks, in either format (`typeKey` names the type: `Type` or
 * `taskType`): a SnapshotByTimeOffset subtask is checked whole with `snapshot`; any other keeps
 * just its type, checked with {@link OtherSubtaskTypeSchema}, whatever else VOD puts in it. Null
 * is a flow without media results; absence is checked by {@link subtaskListRequired}.
 */
export function subtaskListSchema<const TKey extends string, TSnapshot extends v.GenericSchema>(
  typeKey: TKey,
  snapshot: TSnapshot,
  list: string,
) {
  const other = v.object(
    { [typeKey]: OtherSubtaskTypeSchema } as Record<TKey, typeof OtherSubtaskTypeSchema>,
    'each subtask must be an object',
  )
  const subtask = v.lazy((item: unknown) =>
    (item as Record<string, unknown> | null)?.[typeKey] === SNAPSHOT_SUBTASK_TYPE
      ? snapshot
      : other,
  )
  return v.optional(v.nullable(v.array(subtask, `${list} must be an array`)))
}

/**
 * The check of a task flow's event object (`ProcedureStateChangeEvent`, `data`) that its subtask
 * list `list` is present. Absent is not null: a body without its list is not one with no
 * results, and is refused rather than ignored.
 */
export function subtaskListRequired<TInput extends Record<string, unknown>>(list: string) {
  return v.forward(
    v.check((value: TInput) => value[list] !== undefined, `${list} must be an array`),
    [list] as never,
  )
}

const SECONDS = /^(\d+)(?:\.(\d+))?s$/

/**
 * "3.5s" in ms, or undefined for a percentage or anything else. Computed on the digits, not as
 * 3.5 * 1000: "0.1s" must give 100, not 100.00000000000001.
 */
export function secondsToMs(point: string): number | undefined {
  const match = SECONDS.exec(point)
  if (!match) return undefined
  const fraction = match[2] ?? ''
  const ms = Number(`${match[1]}${fraction.slice(0, 3).padEnd(3, '0')}.${fraction.slice(3) || 0}`)
  // DynamoDB cannot hold a positive number under 1e-130: such a point has no key either.
  if (ms > 0 && ms < MIN_DYNAMODB_NUMBER) return undefined
  return ms <= Number.MAX_SAFE_INTEGER ? ms : undefined
}

/**
 * The items of a task flow's snapshot subtasks. SUCCESS: one result per picture, status 0.
 * FAIL: the pictures VOD delivered anyway, and one result per requested point with a definite
 * offset (`TimeOffsetSet` ms, `ExtTimeOffsetSet` seconds) carrying the subtask's ErrCode; a
 * percentage point has no offset to key it by and is only counted. PROCESSING: nothing yet.
 */
export function procedureResults(
  procedure: Procedure,
  subtasks: readonly SnapshotSubtask[],
): ProcedureResults {
  const taskIds = subtaskTaskIds(
    procedure.taskId,
    subtasks.map((subtask) => subtask.definition),
  )
  const results: SnapshotResult[] = []
  let unkeyedFailures = 0
  subtasks.forEach((subtask, i) => {
    if (subtask.status === 'PROCESSING') return
    const base = (timeOffset: number, status: number): SnapshotResult => {
      const result: SnapshotResult = {
        vodTaskId: taskIds[i] as string,
        fileId: procedure.fileId,
        definition: subtask.definition,
        timeOffset,
        status,
        eventType: PROCEDURE_EVENT_TYPE,
        procedureTaskId: procedure.taskId,
      }
      if (procedure.sessionContext !== undefined) result.sessionContext = procedure.sessionContext
      if (procedure.sessionId !== undefined) result.sessionId = procedure.sessionId
      if (procedure.partial) result.partial = true
      return result
    }
    if (subtask.status === 'FAIL') {
      const status = subtask.errCode === 0 ? UNCODED_FAILURE_STATUS : subtask.errCode
      for (const ms of subtask.requestedMs) results.push(base(ms, status))
      for (const point of subtask.requestedExt) {
        const ms = secondsToMs(point)
        if (ms === undefined) unkeyedFailures++
        else results.push(base(ms, status))
      }
    }
    // After the failures: a delivered picture at a failed offset wins (later entries win).
    for (const picture of subtask.pictures) {
      const result = base(picture.timeOffset, 0)
      if (picture.url !== undefined) result.url = picture.url
      if (picture.watermarkDefinitions?.length) {
        result.watermarkDefinitions = picture.watermarkDefinitions
      }
      results.push(result)
    }
  })
  return { results, unkeyedFailures }
}
