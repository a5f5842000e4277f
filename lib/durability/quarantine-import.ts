import * as v from 'valibot'
import { UNSTORED_CALLBACK_MARKER } from './fallback-message'
import { readLoggedPieces } from './log-line'
import { parseQuarantined, type QuarantinedCallback } from './quarantine'

const LoggedPartSchema = v.object({
  message: v.literal(UNSTORED_CALLBACK_MARKER),
  reason: v.literal('quarantine failed'),
  quarantine: v.record(v.string(), v.unknown()),
  part: v.pipe(v.number(), v.integer(), v.minValue(1)),
  parts: v.pipe(v.number(), v.integer(), v.minValue(1)),
  bodyPart: v.string(),
})

/** The quarantine piece one exported log line's JSON holds, if it holds one. */
function loggedPart(json: unknown) {
  const result = v.safeParse(LoggedPartSchema, json)
  if (!result.success) return undefined
  const { quarantine, part, parts, bodyPart } = result.output
  return { id: String(quarantine.id), part, parts, text: bodyPart, about: quarantine }
}

/**
 * The quarantine entries that the function could only log, put together from their pieces. An
 * entry with a piece missing is named in `incomplete`; a line that names the marker and the
 * quarantine's reason but cannot be read is `damaged` (by line number); other non-empty lines
 * are counted as `skipped`.
 */
export function extractLoggedQuarantine(text: string): {
  entries: QuarantinedCallback[]
  incomplete: string[]
  damaged: number[]
  skipped: number
} {
  const { whole, incomplete, damaged, skipped } = readLoggedPieces(
    text,
    { marker: UNSTORED_CALLBACK_MARKER, reason: 'quarantine failed' },
    loggedPart,
  )
  const entries = whole.map(({ about, text: body }) =>
    parseQuarantined(JSON.stringify({ ...about, body })),
  )
  return { entries, incomplete, damaged, skipped }
}
