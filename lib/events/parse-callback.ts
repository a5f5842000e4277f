import * as v from 'valibot'
import { describeIssues } from '../runtime/validation-issues'
import { LegacySnapshotCallbackSchema, normaliseLegacyCallback } from './legacy-snapshot-complete'
import { SNAPSHOT_EVENT_TYPE, type SnapshotResult } from './snapshot-result'
import { normaliseV3Callback, V3SnapshotCallbackSchema } from './v3-snapshot-complete'

/** Which of VOD's two callback formats a body is in. */
export type CallbackFormat = 'legacy' | 'v3'

/** What a callback body turned out to be. */
export type ParsedCallback =
  | { kind: 'snapshots'; format: CallbackFormat; vodTaskId: string; results: SnapshotResult[] }
  | { kind: 'ignored'; format: CallbackFormat; eventType: string }

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

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

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
 * Recognises, validates and normalises a parsed JSON body. Other event types come back as
 * `ignored` without further checks (the same URL receives every event the account enabled);
 * a snapshot event is either valid as a whole or rejected as a whole.
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
  if (eventType !== SNAPSHOT_EVENT_TYPE) return { kind: 'ignored', format, eventType }

  if (format === 'v3') {
    const parsed = validate(V3SnapshotCallbackSchema, body)
    return {
      kind: 'snapshots',
      format,
      vodTaskId: parsed.SnapshotByTimeOffsetCompleteEvent.TaskId,
      results: normaliseV3Callback(parsed),
    }
  }
  const parsed = validate(LegacySnapshotCallbackSchema, body)
  return {
    kind: 'snapshots',
    format,
    vodTaskId: parsed.data.vodTaskId,
    results: normaliseLegacyCallback(parsed),
  }
}
