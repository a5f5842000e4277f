import * as v from 'valibot'
import { OTHER_VOD_TASK_TYPES } from '../reconcile/vod-tasks'
import { parseJsonOrUndefined } from '../runtime/json'
import { describeIssues } from '../runtime/validation-issues'
import { VOD_TASK_STATUSES, type VodStandInTask } from './vod-stand-in-tasks'

/** Where the admin routes live: outside VOD's API, which is POST `/` only. */
export const STAND_IN_ADMIN_PATH = '/stand-in'

const TIME = v.pipe(
  v.string(),
  v.check((text) => !Number.isNaN(Date.parse(text)), 'must be a time such as 2026-12-04T10:00:00Z'),
)

// The schemas check what the stand-in needs; the objects are kept as they came, every field.
// (v.object, not looseObject, so that a missing key is reported as required.)

/** An event as VOD's queue holds it (v3.0, as PullEvents returns it, without its handle). */
const QueuedEventSchema = v.object({
  EventType: v.pipe(
    v.string('must be an event type such as ProcedureStateChanged (a v3.0 event)'),
    v.nonEmpty('must not be empty'),
  ),
})

/** A task as {@link VodStandInTask} describes it; the task objects are VOD's, kept as they come. */
const TaskSchema = v.object({
  TaskId: v.pipe(v.string(), v.nonEmpty('must not be empty')),
  TaskType: v.picklist(['Procedure', 'SnapshotByTimeOffset', ...OTHER_VOD_TASK_TYPES]),
  Status: v.picklist(VOD_TASK_STATUSES),
  // Optional, and null as DescribeTasks answers a missing one.
  FileId: v.nullish(v.string()),
  CreateTime: TIME,
  BeginProcessTime: v.nullish(TIME),
  FinishTime: v.nullish(TIME),
  SessionId: v.nullish(v.string()),
  SessionContext: v.nullish(v.string()),
  ProcedureTask: v.nullish(v.looseObject({})),
  SnapshotByTimeOffsetTask: v.nullish(v.looseObject({})),
})

/** What the stand-in's admin routes act on. */
export interface StandInQueueAndTasks {
  enqueue(...events: Record<string, unknown>[]): void
  waiting(): number
  addTask(task: VodStandInTask): void
}

/** An admin answer: the HTTP status and its JSON body. */
export interface AdminAnswer {
  status: number
  body: Record<string, unknown>
}

const refusal = (code: number, message: string, problems?: string[]): AdminAnswer => ({
  status: code,
  body: { code, message, ...(problems ? { problems } : {}) },
})

/** The body's objects (one, or an array of them) as they came, or the refusal naming what is wrong. */
function read(schema: v.GenericSchema, text: string): Record<string, unknown>[] | AdminAnswer {
  const json = parseJsonOrUndefined(text)
  if (json === undefined) return refusal(400, 'the body is not JSON')
  if (Array.isArray(json) && json.length === 0) return refusal(400, 'the array holds nothing')
  const parsed = v.safeParse(Array.isArray(json) ? v.array(schema) : schema, json)
  if (!parsed.success) {
    return refusal(400, 'the body is not what this route takes', describeIssues(parsed.issues))
  }
  return Array.isArray(json) ? json : [json as Record<string, unknown>]
}

/**
 * The stand-in's local admin routes, so another process (`npm run send -- --to-queue` or
 * `--as-task`) can give it what VOD would hold: `POST /stand-in/events` (one v3.0 event or an
 * array) puts events in the queue, `POST /stand-in/tasks` (one {@link VodStandInTask} or an array)
 * adds tasks. A body that is not that is refused whole with 400 and what is wrong. The body must
 * be sent as `application/json`: a web page cannot send that without a preflight the stand-in
 * never answers, so a page open in a browser cannot fill the queue.
 */
export function answerStandInAdmin(
  request: {
    method: string | undefined
    path: string
    contentType: string | undefined
    text: string
  },
  standIn: StandInQueueAndTasks,
): AdminAnswer {
  const route = request.path.slice(STAND_IN_ADMIN_PATH.length)
  if (route !== '/events' && route !== '/tasks') {
    return refusal(
      404,
      `no route ${request.path}: POST ${STAND_IN_ADMIN_PATH}/events or ${STAND_IN_ADMIN_PATH}/tasks`,
    )
  }
  if (request.method !== 'POST') return refusal(405, `${request.path} takes POST only`)
  if (!/^application\/json\s*(;|$)/i.test(request.contentType ?? '')) {
    return refusal(415, 'send the body as Content-Type: application/json')
  }
  if (route === '/events') {
    const events = read(QueuedEventSchema, request.text)
    if (!Array.isArray(events)) return events
    standIn.enqueue(...events)
    return { status: 200, body: { queued: events.length, waiting: standIn.waiting() } }
  }
  const tasks = read(TaskSchema, request.text)
  if (!Array.isArray(tasks)) return tasks
  for (const task of tasks) standIn.addTask(task as VodStandInTask)
  return { status: 200, body: { added: tasks.length } }
}
