import type {
  ProcedureTask,
  SnapshotByTimeOffsetTask2017,
} from 'tencentcloud-sdk-nodejs-vod/tencentcloud/services/vod/v20180717/vod_models'
import { isPlainObject } from '../runtime/json'
import { vodTime } from '../runtime/vod-time'
import type { VodStandInTask } from './vod-stand-in-tasks'

/** What `npm run send -- --as-task` cannot turn into a task, with the reason in words. */
export class NotATaskError extends Error {
  override name = 'NotATaskError'
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined)

/**
 * The callback's task object under `key`, as a finished task of `TaskType` with its TaskId,
 * FileId and session fields, created and finished at `now`.
 */
function finishedTask(
  body: Record<string, unknown>,
  key: 'ProcedureStateChangeEvent' | 'SnapshotByTimeOffsetCompleteEvent',
  now: number,
): VodStandInTask {
  const event = body[key]
  if (!isPlainObject(event)) throw new NotATaskError(`${body.EventType} without ${key}`)
  const TaskId = text(event.TaskId)
  if (!TaskId) throw new NotATaskError(`${key}.TaskId is missing`)
  const time = vodTime(now)
  const common = {
    TaskId,
    Status: 'FINISH' as const,
    ...(text(event.FileId) ? { FileId: text(event.FileId) } : {}),
    CreateTime: time,
    FinishTime: time,
    ...(text(event.SessionId) ? { SessionId: text(event.SessionId) } : {}),
    ...(text(event.SessionContext) ? { SessionContext: text(event.SessionContext) } : {}),
  }
  // The callback carries the very object DescribeTaskDetail returns for the task.
  return key === 'ProcedureStateChangeEvent'
    ? { ...common, TaskType: 'Procedure', ProcedureTask: event as ProcedureTask }
    : {
        ...common,
        TaskType: 'SnapshotByTimeOffset',
        SnapshotByTimeOffsetTask: event as SnapshotByTimeOffsetTask2017,
      }
}

function taskOf(body: unknown, now: number): VodStandInTask {
  if (!isPlainObject(body)) throw new NotATaskError('not a JSON object')
  // Already a task, as DescribeTasks lists it: the stand-in checks it.
  if ('TaskType' in body) return body as VodStandInTask
  if (body.version === '4.0' || 'eventType' in body) {
    throw new NotATaskError(
      'a 4.0 (legacy) callback has no task form: give a v3.0 one, such as tests/fixtures/v3-procedure-snapshot.json',
    )
  }
  if (body.EventType === 'ProcedureStateChanged') {
    return finishedTask(body, 'ProcedureStateChangeEvent', now)
  }
  if (body.EventType === 'CreateSnapshotByTimeOffsetComplete') {
    return finishedTask(body, 'SnapshotByTimeOffsetCompleteEvent', now)
  }
  throw new NotATaskError(
    'neither a task (TaskType ...) nor a v3.0 ProcedureStateChanged or CreateSnapshotByTimeOffsetComplete callback',
  )
}

/**
 * What a file given to `npm run send -- --as-task` holds, as the stand-in's tasks: a task
 * ({@link VodStandInTask}) as it is, or a v3.0 callback body turned into the finished task VOD
 * remembers for it (a ProcedureStateChanged into a `Procedure` task whose ProcedureTask is the
 * callback's ProcedureStateChangeEvent; a CreateSnapshotByTimeOffsetComplete into a
 * `SnapshotByTimeOffset` task), created and finished at `now`. So the one fixture can be sent as
 * a callback and as the task a missed callback leaves behind. An array gives one task each.
 *
 * @throws {NotATaskError} naming what the body is instead
 */
export function standInTasksOf(body: unknown, now: number = Date.now()): VodStandInTask[] {
  if (!Array.isArray(body)) return [taskOf(body, now)]
  if (body.length === 0) throw new NotATaskError('the array holds nothing')
  return body.map((item, i) => {
    try {
      return taskOf(item, now)
    } catch (error) {
      if (!(error instanceof NotATaskError)) throw error
      throw new NotATaskError(`item ${i}: ${error.message}`)
    }
  })
}
