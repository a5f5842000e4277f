import {
  handleVodEvent,
  type RoadDependencies,
  type RoadForwarding,
  replayTiming,
} from '../intake/handle-vod-event'
import { MAX_READ_BODY_BYTES } from '../receive/answer-callback'
import { readKeptBody } from '../receive/json-body'
import type { Quarantine } from './quarantine'

/** What a replay did with one quarantined callback. */
export type QuarantineReplayOutcome =
  | { id: string; outcome: 'stored'; stored: number }
  | { id: string; outcome: 'ignored'; eventType: string }
  | { id: string; outcome: 'invalid'; problems: string[] }
  | { id: string; outcome: 'failed'; reason: string }
  | { id: string; outcome: 'not-found' }

export interface QuarantineReplayOptions
  extends Omit<RoadDependencies, 'forwarding' | 'keepUnstored'> {
  /**
   * Where a body that turns out to be another event type is passed on (the bus, as the function
   * would have put it there). Without it such a body stays in the quarantine.
   */
  forwarding?: Omit<RoadForwarding, 'durable'>
  now?: () => Date
}

/**
 * Takes one quarantined callback down the one road again, with today's parser. Stored, or passed
 * on as another event type: it leaves the quarantine. Still invalid: it stays, with today's
 * problems. Not stored, or nowhere to pass it on: it stays as it was. Idempotent.
 */
export async function replayQuarantined(
  quarantine: Quarantine,
  id: string,
  { now = () => new Date(), forwarding, ...road }: QuarantineReplayOptions,
): Promise<QuarantineReplayOutcome> {
  const entry = await quarantine.get(id)
  if (!entry) return { id, outcome: 'not-found' }
  // Read as the front door reads it (UTF-8, JSON, prototype keys): a body refused live for what
  // it holds stays refused. Its size against the replay's limit: one refused only for being over
  // 1 MB is stored.
  const read = readKeptBody(
    { body: entry.body, isBase64Encoded: entry.bodyEncoding === 'base64' },
    MAX_READ_BODY_BYTES,
  )
  const outcome =
    'parsed' in read
      ? await handleVodEvent(
          {
            kind: 'event',
            body: read.parsed,
            text: () => read.text,
            receivedAt: entry.receivedAt,
            id,
          },
          { ...road, forwarding: forwarding && { ...forwarding, durable: false } },
          replayTiming(),
        )
      : ({ kind: 'invalid', problems: read.problems } as const)
  switch (outcome.kind) {
    case 'invalid':
      await quarantine.keep({
        ...entry,
        problems: outcome.problems,
        replayedAt: now().toISOString(),
      })
      return { id, outcome: 'invalid', problems: outcome.problems }
    case 'ignored':
      if (outcome.passedOn === 'nowhere') {
        return { id, outcome: 'failed', reason: 'another event type, and no bus to pass it on to' }
      }
      if (outcome.passedOn === 'failed') {
        return { id, outcome: 'failed', reason: 'the bus did not take it' }
      }
      await quarantine.remove(id)
      return { id, outcome: 'ignored', eventType: outcome.eventType }
    case 'stored':
      if (outcome.forwarded === 'failed') {
        return { id, outcome: 'failed', reason: 'stored, but the bus did not take the event' }
      }
      await quarantine.remove(id)
      return { id, outcome: 'stored', stored: outcome.stored }
    case 'unstored':
      return { id, outcome: 'failed', reason: outcome.reason }
    default:
      return { id, outcome: 'failed', reason: `not stored (${outcome.kind})` }
  }
}
