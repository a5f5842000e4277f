import type {
  ProcedureTask,
  SnapshotByTimeOffsetTask2017,
} from 'tencentcloud-sdk-nodejs-vod/tencentcloud/services/vod/v20180717/vod_models'
import type { OTHER_VOD_TASK_TYPES } from '../reconcile/vod-tasks'

/** A task's states; DescribeTasks lists ABORTED tasks but does not take it as a filter. */
export const VOD_TASK_STATUSES = ['WAITING', 'PROCESSING', 'FINISH', 'ABORTED'] as const
type VodTaskStatus = (typeof VOD_TASK_STATUSES)[number]

/**
 * A task VOD remembers, as the stand-in is given it: what DescribeTasks lists and, for a task
 * flow or a 2017 time-offset screenshot task, the object DescribeTaskDetail returns for it (for a
 * task flow, the same object a callback carries as `ProcedureStateChangeEvent`). Times are
 * ISO 8601 UTC, as VOD writes them: `2026-12-04T10:00:00Z`.
 */
export type VodStandInTask = {
  TaskId: string
  Status: VodTaskStatus
  FileId?: string
  CreateTime: string
  BeginProcessTime?: string
  FinishTime?: string
  SessionId?: string
  SessionContext?: string
} & (
  | { TaskType: 'Procedure'; ProcedureTask?: ProcedureTask }
  | { TaskType: 'SnapshotByTimeOffset'; SnapshotByTimeOffsetTask?: SnapshotByTimeOffsetTask2017 }
  | { TaskType: (typeof OTHER_VOD_TASK_TYPES)[number] }
)

/** The content of VOD's `Response` without its RequestId: a result, or `{ Error }`. */
export type VodAnswer = Record<string, unknown>

/** VOD's error answer. */
export const vodError = (Code: string, Message: string): VodAnswer => ({ Error: { Code, Message } })

/** VOD lists and describes only the tasks created in the last 72 hours (3 days). */
const RETENTION_MS = 72 * 3600 * 1000
const STATUS_FILTERS = new Set(['WAITING', 'PROCESSING', 'FINISH'])

/** Where a task stands in a sorted list: its sort time (null: not finished) and its TaskId. */
type SortKey = [time: number | null, taskId: string]
type Stored = { task: VodStandInTask; created: number; finished?: number }
type TimeRange = { after?: number; before?: number }

class ParameterError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const invalid = (field: string) => new ParameterError('InvalidParameterValue', `invalid ${field}`)

function parseTime(text: unknown, field: string): number {
  const time = typeof text === 'string' ? Date.parse(text) : Number.NaN
  if (Number.isNaN(time)) throw invalid(field)
  return time
}

// VOD's TimeRange: After inclusive, Before exclusive.
function readRange(range: unknown, field: string): TimeRange | undefined {
  if (range === undefined) return undefined
  if (typeof range !== 'object' || range === null) throw invalid(field)
  const { After, Before } = range as { After?: unknown; Before?: unknown }
  return {
    ...(After !== undefined ? { after: parseTime(After, `${field}.After`) } : {}),
    ...(Before !== undefined ? { before: parseTime(Before, `${field}.Before`) } : {}),
  }
}

const within = (time: number, range: TimeRange) =>
  (range.after === undefined || time >= range.after) &&
  (range.before === undefined || time < range.before)

function readSort(sort: unknown): { field: 'CreateTime' | 'FinishTime'; desc: boolean } {
  if (sort === undefined) return { field: 'CreateTime', desc: true }
  const { Field, Order } = (sort ?? {}) as { Field?: unknown; Order?: unknown }
  if ((Field !== 'CreateTime' && Field !== 'FinishTime') || (Order !== 'Asc' && Order !== 'Desc')) {
    throw invalid('Sort')
  }
  return { field: Field, desc: Order === 'Desc' }
}

// Unfinished tasks come last in either order; equal times are ordered by TaskId.
function compareKeys([aTime, aId]: SortKey, [bTime, bId]: SortKey, desc: boolean): number {
  if (aTime !== bTime) {
    if (aTime === null) return 1
    if (bTime === null) return -1
    return desc ? bTime - aTime : aTime - bTime
  }
  return aId < bId ? -1 : aId > bId ? 1 : 0
}

// The token is the last key of the page: the next page starts after it, so a task added or
// expired between two pages neither repeats nor skips one.
const encodeToken = (key: SortKey) => Buffer.from(JSON.stringify(key)).toString('base64url')

function decodeToken(token: unknown): SortKey | undefined {
  if (token === undefined || token === '') return undefined
  try {
    const key = JSON.parse(Buffer.from(String(token), 'base64url').toString())
    const [time, taskId] = key
    if (
      key.length === 2 &&
      (time === null || typeof time === 'number') &&
      typeof taskId === 'string'
    ) {
      return key
    }
  } catch {}
  throw invalid('ScrollToken')
}

function readLimit(limit: unknown): number {
  if (limit === undefined) return 10
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ParameterError('InvalidParameterValue.Limit', 'Limit must be 1 to 100')
  }
  return limit
}

const simpleInfo = (task: VodStandInTask) => ({
  TaskId: task.TaskId,
  TaskType: task.TaskType,
  Status: task.Status,
  FileId: task.FileId ?? '',
  CreateTime: task.CreateTime,
  BeginProcessTime: task.BeginProcessTime ?? null,
  FinishTime: task.FinishTime ?? null,
  SessionId: task.SessionId ?? '',
  SessionContext: task.SessionContext ?? '',
})

/** The stand-in's task records and its answers to DescribeTasks and DescribeTaskDetail. */
export interface VodTaskRecords {
  /** Adds a task, or replaces the one with its TaskId (a task moving on to FINISH). */
  add(task: VodStandInTask): void
  describeTasks(request: Record<string, unknown>): VodAnswer
  describeTaskDetail(request: Record<string, unknown>): VodAnswer
}

/**
 * VOD's task records as DescribeTasks and DescribeTaskDetail answer for them: tasks created in
 * the last 72 hours by `now`, a request for another `subAppId` (when one is set) refused.
 *
 * @throws {Error} from `add`, for a task whose CreateTime or FinishTime is not a time
 */
export function vodTaskRecords(options: { now: () => number; subAppId?: number }): VodTaskRecords {
  const { now, subAppId } = options
  const records = new Map<string, Stored>()
  const recent = (stored: Stored) => stored.created >= now() - RETENTION_MS

  function checkSubAppId(requested: unknown) {
    if (subAppId !== undefined && requested !== undefined && requested !== subAppId) {
      throw new ParameterError('InvalidParameterValue.SubAppId', `no SubAppId ${requested}`)
    }
  }

  function describeTasks(request: Record<string, unknown>): VodAnswer {
    checkSubAppId(request.SubAppId)
    const limit = readLimit(request.Limit)
    const status = request.Status === '' ? undefined : request.Status
    if (status !== undefined && !STATUS_FILTERS.has(String(status))) {
      throw new ParameterError('InvalidParameterValue.Status', `invalid Status ${status}`)
    }
    const fileId = request.FileId === '' ? undefined : request.FileId
    const created = readRange(request.CreateTime, 'CreateTime')
    const finished = readRange(request.FinishTime, 'FinishTime')
    const sort = readSort(request.Sort)
    const after = decodeToken(request.ScrollToken)
    const listed = [...records.values()]
      .filter(
        (stored) =>
          recent(stored) &&
          (status === undefined || stored.task.Status === status) &&
          (fileId === undefined || stored.task.FileId === fileId) &&
          (!created || within(stored.created, created)) &&
          (!finished || (stored.finished !== undefined && within(stored.finished, finished))),
      )
      .map((stored) => {
        const time = sort.field === 'CreateTime' ? stored.created : (stored.finished ?? null)
        return { task: stored.task, key: [time, stored.task.TaskId] as SortKey }
      })
      .sort((a, b) => compareKeys(a.key, b.key, sort.desc))
      .filter(({ key }) => !after || compareKeys(key, after, sort.desc) > 0)
    const page = listed.slice(0, limit)
    const last = page.at(-1)
    return {
      TaskSet: page.map(({ task }) => simpleInfo(task)),
      ScrollToken: listed.length > limit && last ? encodeToken(last.key) : '',
    }
  }

  function describeTaskDetail(request: Record<string, unknown>): VodAnswer {
    checkSubAppId(request.SubAppId)
    if (typeof request.TaskId !== 'string' || request.TaskId === '') {
      throw new ParameterError('InvalidParameterValue.TaskId', 'TaskId is required')
    }
    const stored = records.get(request.TaskId)
    if (!stored || !recent(stored)) {
      return vodError('ResourceNotFound', `no task ${request.TaskId} in the last 3 days`)
    }
    const { task } = stored
    return {
      TaskType: task.TaskType,
      Status: task.Status,
      CreateTime: task.CreateTime,
      BeginProcessTime: task.BeginProcessTime ?? null,
      FinishTime: task.FinishTime ?? null,
      // VOD answers every other type's task object as null.
      ProcedureTask: ('ProcedureTask' in task && task.ProcedureTask) || null,
      SnapshotByTimeOffsetTask:
        ('SnapshotByTimeOffsetTask' in task && task.SnapshotByTimeOffsetTask) || null,
    }
  }

  const answering =
    (describe: (request: Record<string, unknown>) => VodAnswer) =>
    (request: Record<string, unknown>) => {
      try {
        return describe(request)
      } catch (error) {
        if (error instanceof ParameterError) return vodError(error.code, error.message)
        throw error
      }
    }

  return {
    add: (task) => {
      const created = parseTime(task.CreateTime, `CreateTime of task ${task.TaskId}`)
      const finished = task.FinishTime
        ? parseTime(task.FinishTime, `FinishTime of task ${task.TaskId}`)
        : undefined
      records.set(task.TaskId, { task: structuredClone(task), created, finished })
    },
    describeTasks: answering(describeTasks),
    describeTaskDetail: answering(describeTaskDetail),
  }
}
