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
  const damaged: number[] = []
  let skipped = 0
  const lines = text.split(/\r?\n/).flatMap((line, index) => {
    const piece = loggedPart(line)
    if (!piece) {
      if (line.includes(UNSTORED_CALLBACK_MARKER) && line.includes('quarantine failed')) {
        damaged.push(index + 1)
      } else if (line.trim() !== '') {
        skipped++
      }
      return []
    }
    const { quarantine, part, parts, bodyPart } = piece
    return [{ id: String(quarantine.id), part, parts, text: bodyPart, about: quarantine }]
  })
  const { whole, incomplete } = joinLoggedPieces(lines)
  const entries = whole.map(({ about, text: body }) =>
    parseQuarantined(JSON.stringify({ ...about, body })),
  )
  return { entries, incomplete, damaged, skipped }
}
