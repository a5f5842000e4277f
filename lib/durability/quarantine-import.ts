import * as v from 'valibot'
import { UNSTORED_CALLBACK_MARKER } from './fallback-message'
import { jsonOfLogLine } from './log-line'
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
  const byId = new Map<string, { described: Record<string, unknown>; parts: string[]; n: number }>()
  for (const line of text.split(/\r?\n/)) {
    const part = loggedPart(line)
    if (!part) continue
    const id = String(part.quarantine.id)
    const found = byId.get(id) ?? { described: part.quarantine, parts: [], n: part.parts }
    found.parts[part.part - 1] = part.bodyPart
    byId.set(id, found)
  }
  const entries: QuarantinedCallback[] = []
  const incomplete: string[] = []
  for (const [id, { described, parts, n }] of byId) {
    const pieces = Array.from({ length: n }, (_, i) => parts[i])
    if (pieces.some((piece) => piece === undefined)) {
      incomplete.push(id)
      continue
    }
    entries.push(parseQuarantined(JSON.stringify({ ...described, body: pieces.join('') })))
  }
  return { entries, incomplete }
}
