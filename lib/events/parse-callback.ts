import * as v from 'valibot'
import { isPlainObject } from '../runtime/json'
import { describeIssues } from '../runtime/validation-issues'
import {
  LegacyProcedureCallbackSchema,
  normaliseLegacyProcedure,
} from './legacy-procedure-state-changed'
import { LegacySnapshotCallbackSchema, normaliseLegacyCallback } from './legacy-snapshot-complete'
import {
  MAX_PARTITION_KEY_BYTES,
  PROCEDURE_EVENT_TYPE,
  SNAPSHOT_EVENT_TYPE,
  type SnapshotResult,
  spelledLike,
} from './snapshot-result'
import { normaliseV3Procedure, V3ProcedureCallbackSchema } from './v3-procedure-state-changed'
import { normaliseV3Callback, V3SnapshotCallbackSchema } from './v3-snapshot-complete'

/** Which of VOD's two callback formats a body is in. */
export type CallbackFormat = 'legacy' | 'v3'

/** What a callback body turned out to be. */
export type ParsedCallback =
  | {
      kind: 'snapshots'
      format: CallbackFormat
      eventType: StoredEventType
      /** The task (the task flow's TaskId for ProcedureStateChanged), for logs. */
      vodTaskId: string
      results: SnapshotResult[]
      /** Failed points of a task flow with no definite offset ("10%"): logged and counted only. */
      unkeyedFailures: number
    }
  | { kind: 'ignored'; format: CallbackFormat; eventType: string }

/** The event types whose results are stored. */
type StoredEventType = typeof SNAPSHOT_EVENT_TYPE | typeof PROCEDURE_EVENT_TYPE

/** A body that is not a callback this function can act on; `problems` are `path: message` lines. */
export class InvalidCallbackError extends Error {
  override name = 'InvalidCallbackError'
  constructor(readonly problems: string[]) {
    super(`Invalid callback: ${problems.join('; ')}`)
  }
}

/**
 * Validates a body against one format's schema, stopping at its first problem: a 1 MB body can
 * hold 330,000 broken results, and collecting an issue for each took seconds. Every format's
 * `safeParse` goes through here, so each gets the same bound.
 */
function validate<TSchema extends v.GenericSchema>(
  schema: TSchema,
  body: unknown,
): v.InferOutput<TSchema> {
  const parsed = v.safeParse(schema, body, { abortEarly: true, abortPipeEarly: true })
  if (!parsed.success) throw new InvalidCallbackError(describeIssues(parsed.issues))
  return parsed.output
}

/**
 * Recognises the format by its shape: the legacy format says `eventType` beside `data`, v3.0
 * says `EventType` beside its `...Event` objects. A legacy body that also carries an
 * `EventType` field is still legacy: an extra field never changes what a body is.
 */
function recogniseCallback(
  body: Record<string, unknown>,
): { format: CallbackFormat; eventType: string } | undefined {
  const legacy = typeof body.eventType === 'string' ? body.eventType : undefined
  const v3 = typeof body.EventType === 'string' ? body.EventType : undefined
  if (legacy !== undefined && ('data' in body || v3 === undefined)) {
    return { format: 'legacy', eventType: legacy }
  }
  return v3 === undefined ? undefined : { format: 'v3', eventType: v3 }
}

/**
 * A task flow keys its items `<TaskId>#<definition>` (and `#<n>` for a repeated template): that
 * key must still fit DynamoDB's partition-key limit, or the write would fail for good.
 *
 * @throws {InvalidCallbackError} naming the task ID's path
 */
function checkTaskFlowKeys(results: readonly SnapshotResult[], path: string): void {
  const keys = new Set(results.map((result) => result.vodTaskId))
  for (const key of keys) {
    if (Buffer.byteLength(key) > MAX_PARTITION_KEY_BYTES) {
      throw new InvalidCallbackError([
        `${path}: the task ID and its "#<definition>" suffix must be at most ${MAX_PARTITION_KEY_BYTES} bytes`,
      ])
    }
  }
}

/** Validates and normalises a task flow in either format, whatever its subtasks. */
function validateProcedure(body: Record<string, unknown>, format: CallbackFormat) {
  if (format === 'v3') {
    const callback = validate(V3ProcedureCallbackSchema, body)
    return {
      vodTaskId: callback.ProcedureStateChangeEvent.TaskId,
      path: 'ProcedureStateChangeEvent.TaskId',
      normalised: normaliseV3Procedure(callback),
    }
  }
  const callback = validate(LegacyProcedureCallbackSchema, body)
  return {
    vodTaskId: callback.data.vodTaskId,
    path: 'data.vodTaskId',
    normalised: normaliseLegacyProcedure(callback),
  }
}

/**
 * Recognises, validates and normalises a parsed JSON body. Other event types come back as
 * `ignored` without further checks (the same URL receives every event the account enabled). A
 * task flow is always validated, whatever its subtasks, so that no change of shape can make a
 * flow's screenshots look like an event to ignore; one without a SnapshotByTimeOffset subtask
 * (or with a null result set) is then `ignored`. A body with results is either valid as a whole
 * or rejected as a whole.
 *
 * @throws {InvalidCallbackError} naming the first problem found
 */
export function parseCallback(body: unknown): ParsedCallback {
  if (!isPlainObject(body)) throw new InvalidCallbackError(['body: must be a JSON object'])
  const recognised = recogniseCallback(body)
  if (!recognised) {
    throw new InvalidCallbackError([
      'eventType: must be a string (legacy format), or EventType for the v3.0 format',
    ])
  }
  const { format, eventType } = recognised
  if (eventType === SNAPSHOT_EVENT_TYPE) {
    const snapshots = { kind: 'snapshots', format, eventType, unkeyedFailures: 0 } as const
    if (format === 'v3') {
      const callback = validate(V3SnapshotCallbackSchema, body)
      const vodTaskId = callback.SnapshotByTimeOffsetCompleteEvent.TaskId
      return { ...snapshots, vodTaskId, results: normaliseV3Callback(callback) }
    }
    const callback = validate(LegacySnapshotCallbackSchema, body)
    return {
      ...snapshots,
      vodTaskId: callback.data.vodTaskId,
      results: normaliseLegacyCallback(callback),
    }
  }
  if (eventType === PROCEDURE_EVENT_TYPE) {
    const { vodTaskId, path, normalised } = validateProcedure(body, format)
    const { results, unkeyedFailures, snapshotSubtasks } = normalised
    if (snapshotSubtasks === 0) return { kind: 'ignored', format, eventType }
    checkTaskFlowKeys(results, path)
    return { kind: 'snapshots', format, eventType, vodTaskId, results, unkeyedFailures }
  }
  // An event type with results, but for case or spelling: refused (and kept), never ignored.
  for (const stored of [SNAPSHOT_EVENT_TYPE, PROCEDURE_EVENT_TYPE]) {
    if (spelledLike(eventType, stored)) {
      const path = format === 'v3' ? 'EventType' : 'eventType'
      throw new InvalidCallbackError([`${path}: must be "${stored}"`])
    }
  }
  return { kind: 'ignored', format, eventType }
}
