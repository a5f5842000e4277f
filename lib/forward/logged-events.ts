import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import * as v from 'valibot'
import { UNSTORED_CALLBACK_MARKER } from '../durability/fallback-message'
import { joinLoggedPieces, jsonOfLogLine } from '../durability/log-line'

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

type EventPiece = v.InferOutput<typeof LoggedPieceSchema>

/** The event piece one exported log line holds, if it holds one. */
function pieceOf(line: string): EventPiece | undefined {
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
  const lines = text.split(/\r?\n/).flatMap((line) => {
    const piece = pieceOf(line)
    if (!piece) return []
    const { id, part, parts, detailPart, event } = piece
    return [{ id, part, parts, text: detailPart, about: event }]
  })
  const { whole, incomplete: missing } = joinLoggedPieces(lines)
  const entries: PutEventsRequestEntry[] = whole.map(({ about, text: Detail }) => ({
    ...about,
    Detail,
  }))
  const incomplete = missing.length
  return { entries, incomplete }
}
