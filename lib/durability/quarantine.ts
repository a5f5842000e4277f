import * as v from 'valibot'
import { isPlainObject } from '../runtime/json'

/** Where quarantined callbacks live in their bucket: the only prefix the function may write. */
export const QUARANTINE_PREFIX = 'quarantine/'

/**
 * An authenticated callback that was rejected (400, 413, 422), kept whole so that it can be
 * replayed once the cause is fixed: VOD does not send it again.
 */
const QuarantinedCallbackSchema = v.object({
  kind: v.literal('vod-snapshots/quarantined-callback'),
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,200}$/, 'must be a quarantine ID')),
  receivedAt: v.pipe(v.string(), v.isoTimestamp('must be an ISO timestamp')),
  requestId: v.string('must be a string'),
  statusCode: v.number('must be a number'),
  problems: v.array(v.string('must be a string'), 'must be an array'),
  /** VOD's event type when the body named one that is a plain word. */
  eventType: v.optional(v.string('must be a string')),
  /** The body as it arrived: text, or base64 when API Gateway delivered it encoded. */
  body: v.string('must be a string'),
  bodyEncoding: v.picklist(['utf8', 'base64'], 'must be utf8 or base64'),
  /** When a replay last found it still invalid. */
  replayedAt: v.optional(v.pipe(v.string(), v.isoTimestamp('must be an ISO timestamp'))),
})

export type QuarantinedCallback = v.InferOutput<typeof QuarantinedCallbackSchema>

/** One line of `npm run quarantine -- --list`. */
export interface QuarantineSummary {
  id: string
  receivedAt: string
  statusCode: number
  eventType?: string
  /** The task the kept body names, when it names one (entries kept before 2026-12 lack it). */
  taskId?: string
  /** The media file the kept body names, when it names one. */
  fileId?: string
  firstProblem?: string
  bytes?: number
}

/** Where rejected callbacks are kept: S3 in AWS and on the local stack. */
export interface Quarantine {
  /** Keeps one rejected callback; rejects when it could not be kept before `signal` aborts. */
  keep(entry: QuarantinedCallback, signal?: AbortSignal): Promise<void>
  list(): Promise<QuarantineSummary[]>
  /** @returns undefined when no such ID is kept */
  get(id: string): Promise<QuarantinedCallback | undefined>
  remove(id: string): Promise<void>
}

/**
 * A quarantine ID: the receipt time (so IDs sort by time) and the request ID, in characters that
 * are safe in an S3 key and a shell.
 */
export function quarantineId(receivedAt: string, requestId: string): string {
  const time = receivedAt.replace(/[^0-9TZ]/g, '')
  const request = requestId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 100)
  return request === '' ? time : `${time}-${request}`
}

// Longer is no VOD ID; it would not fit the listing's 2 KB of S3 metadata either.
const MAX_ID_CHARS = 128
const idOf = (value: unknown) =>
  typeof value === 'string' && value !== '' && value.length <= MAX_ID_CHARS ? value : undefined
const fieldsOf = (value: unknown): Record<string, unknown> => (isPlainObject(value) ? value : {})

/**
 * The task and file IDs a kept body names, so that an operator finds a callback by them: the
 * 2017 format's `data.vodTaskId` and `data.fileId`, v3.0's `TaskId` and `FileId` in
 * `SnapshotByTimeOffsetCompleteEvent` or a task flow's `ProcedureStateChangeEvent`. A body that
 * is not JSON, or does not name them, gives none.
 */
export function namedIds(entry: Pick<QuarantinedCallback, 'body' | 'bodyEncoding'>): {
  taskId?: string
  fileId?: string
} {
  let body: Record<string, unknown>
  try {
    body = fieldsOf(JSON.parse(bodyText(entry)))
  } catch {
    return {}
  }
  const legacy = fieldsOf(body.data)
  const v3 = fieldsOf(body.SnapshotByTimeOffsetCompleteEvent ?? body.ProcedureStateChangeEvent)
  const taskId = idOf(legacy.vodTaskId) ?? idOf(v3.TaskId)
  const fileId = idOf(legacy.fileId) ?? idOf(v3.FileId)
  return {
    ...(taskId === undefined ? {} : { taskId }),
    ...(fileId === undefined ? {} : { fileId }),
  }
}

/** The summary an operator lists, from a kept entry. */
export function summarise(entry: QuarantinedCallback): QuarantineSummary {
  return {
    id: entry.id,
    receivedAt: entry.receivedAt,
    statusCode: entry.statusCode,
    eventType: entry.eventType,
    ...namedIds(entry),
    firstProblem: entry.problems[0],
    bytes: Buffer.byteLength(entry.body, entry.bodyEncoding === 'base64' ? 'base64' : 'utf8'),
  }
}

/**
 * Reads a kept entry back.
 * @throws {Error} naming the problems when the text is not a quarantined callback
 */
export function parseQuarantined(text: string): QuarantinedCallback {
  const result = v.safeParse(QuarantinedCallbackSchema, JSON.parse(text))
  if (!result.success) {
    const problems = result.issues.map((i) => `${v.getDotPath(i) ?? 'entry'}: ${i.message}`)
    throw new Error(`not a quarantined callback: ${problems.join('; ')}`)
  }
  return result.output
}

/** The body as text, decoded from base64 when it was kept encoded. */
export function bodyText(entry: Pick<QuarantinedCallback, 'body' | 'bodyEncoding'>): string {
  return entry.bodyEncoding === 'base64'
    ? Buffer.from(entry.body, 'base64').toString('utf8')
    : entry.body
}
