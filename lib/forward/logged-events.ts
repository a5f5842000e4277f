import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import * as v from 'valibot'
import { UNSTORED_CALLBACK_MARKER } from '../durability/fallback-message'
import { jsonOfLogLine } from '../durability/log-line'

const LoggedPieceSchema = v.object({
  message: v.literal(UNSTORED_CALLBACK_MARKER),
  reason: v.literal('event not published'),
  id: v.string(),
  event: v.object({
    Source: v.string(),
    DetailType: v.string(),
    EventBusName: v.optional(v.string()),
  }),
  part: v.pipe(v.number(), v.integer(), v.minValue(1)),
  parts: v.pipe(v.number(), v.integer(), v.minValue(1)),
  detailPart: v.string(),
})

type LoggedPiece = v.InferOutput<typeof LoggedPieceSchema>

/** The event piece one exported log line holds, if it holds one. */
function pieceOf(line: string): LoggedPiece | undefined {
  const result = v.safeParse(LoggedPieceSchema, jsonOfLogLine(line))
  return result.success ? result.output : undefined
}

/**
 * The events the functions could only log (`reason: "event not published"`), put together from
 * their pieces, ready to be put on the bus again. Other lines are skipped; an event with a piece
 * missing is counted in `incomplete`.
 */
export function extractLoggedEvents(text: string): {
  entries: PutEventsRequestEntry[]
  incomplete: number
} {
  const byId = new Map<string, { event: LoggedPiece['event']; parts: string[]; n: number }>()
  for (const line of text.split(/\r?\n/)) {
    const piece = pieceOf(line)
    if (!piece) continue
    const found = byId.get(piece.id) ?? { event: piece.event, parts: [], n: piece.parts }
    found.parts[piece.part - 1] = piece.detailPart
    byId.set(piece.id, found)
  }
  const entries: PutEventsRequestEntry[] = []
  let incomplete = 0
  for (const { event, parts, n } of byId.values()) {
    const pieces = Array.from({ length: n }, (_, i) => parts[i])
    if (pieces.some((piece) => piece === undefined)) incomplete++
    else entries.push({ ...event, Detail: pieces.join('') })
  }
  return { entries, incomplete }
}
