import * as v from 'valibot'
import { UNSTORED_CALLBACK_MARKER } from './fallback-message'
import { joinLoggedPieces, jsonOfLogLine } from './log-line'
import { parseQuarantined, type QuarantinedCallback } from './quarantine'

const LoggedPartSchema = v.object({
  message: v.literal(UNSTORED_CALLBACK_MARKER),
  reason: v.literal('quarantine failed'),
  quarantine: v.record(v.string(), v.unknown()),
  part: v.pipe(v.number(), v.integer(), v.minValue(1)),
  parts: v.pipe(v.number(), v.integer(), v.minValue(1)),
  bodyPart: v.string(),
})

type LoggedPart = v.InferOutput<typeof LoggedPartSchema>

/** The quarantine piece one exported log line holds, if it holds one. */
function loggedPart(line: string): LoggedPart | undefined {
  const result = v.safeParse(LoggedPartSchema, jsonOfLogLine(line))
  return result.success ? result.output : undefined
}

/**
 * The quarantine entries that the function could only log, put together from their pieces.
 * Other lines are skipped; an entry with a piece missing is named in `incomplete`.
 */
export function extractLoggedQuarantine(text: string): {
  entries: QuarantinedCallback[]
  incomplete: string[]
} {
  const lines = text.split(/\r?\n/).flatMap((line) => {
    const piece = loggedPart(line)
    if (!piece) return []
    const { quarantine, part, parts, bodyPart } = piece
    return [{ id: String(quarantine.id), part, parts, text: bodyPart, about: quarantine }]
  })
  const { whole, incomplete } = joinLoggedPieces(lines)
  const entries = whole.map(({ about, text: body }) =>
    parseQuarantined(JSON.stringify({ ...about, body })),
  )
  return { entries, incomplete }
}
