import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import * as v from 'valibot'
import { UNSTORED_CALLBACK_MARKER } from '../durability/fallback-message'
import { readLoggedPieces } from '../durability/log-line'

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

/** The event piece one exported log line's JSON holds, if it holds one. */
function pieceOf(json: unknown) {
  const result = v.safeParse(LoggedPieceSchema, json)
  if (!result.success) return undefined
  const { id, part, parts, detailPart, event } = result.output
  return { id, part, parts, text: detailPart, about: event }
}

/**
 * The events the functions could only log (`reason: "event not published"`), put together from
 * their pieces, ready to be put on the bus again. An event with a piece missing is named in
 * `incomplete`; a line that names the marker and the reason but cannot be read is `damaged` (by
 * line number).
 */
export function extractLoggedEvents(text: string): {
  entries: PutEventsRequestEntry[]
  incomplete: string[]
  damaged: number[]
} {
  const { whole, incomplete, damaged } = readLoggedPieces(
    text,
    { marker: UNSTORED_CALLBACK_MARKER, reason: 'event not published' },
    pieceOf,
  )
  const entries: PutEventsRequestEntry[] = whole.map(({ about, text: Detail }) => ({
    ...about,
    Detail,
  }))
  return { entries, incomplete, damaged }
}
