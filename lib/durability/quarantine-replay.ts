import { InvalidCallbackError, type ParsedCallback, parseCallback } from '../events/parse-callback'
import type { SnapshotResult } from '../events/snapshot-result'
import { errorMessage } from '../runtime/log'
import { bodyText, type Quarantine, type QuarantinedCallback } from './quarantine'

/** What a replay did with one quarantined callback. */
export type QuarantineReplayOutcome =
  | { id: string; outcome: 'stored'; stored: number }
  | { id: string; outcome: 'ignored'; eventType: string }
  | { id: string; outcome: 'invalid'; problems: string[] }
  | { id: string; outcome: 'failed'; reason: string }
  | { id: string; outcome: 'not-found' }

export interface QuarantineReplayOptions {
  /** Writes a callback's results with their original receipt time; rejects unless all are written. */
  store: (results: SnapshotResult[], receivedAt: string) => Promise<number>
  /**
   * Passes on a body that turns out to be another event type (put on the bus, as the function
   * would have); rejects unless it is. Without it such a body just leaves the quarantine.
   */
  forward?: (eventType: string, text: string) => Promise<void>
  /** Today's parser; a test may pass a variant to stand for a fixed schema. */
  parse?: (body: unknown) => ParsedCallback
  now?: () => Date
}

/** The body parsed as the function parses it, or the problem that stops it. */
function parseBody(entry: QuarantinedCallback): { body: unknown } | { problems: string[] } {
  try {
    return { body: JSON.parse(bodyText(entry)) }
  } catch {
    return { problems: ['body: must be JSON'] }
  }
}

/**
 * Runs one quarantined callback through today's parser and store. Stored, or acknowledged as
 * another event type: it leaves the quarantine. Still invalid: it stays, with today's problems.
 * A store failure leaves it as it was. Idempotent: results are puts by their keys.
 */
export async function replayQuarantined(
  quarantine: Quarantine,
  id: string,
  { store, forward, parse = parseCallback, now = () => new Date() }: QuarantineReplayOptions,
): Promise<QuarantineReplayOutcome> {
  const entry = await quarantine.get(id)
  if (!entry) return { id, outcome: 'not-found' }
  const parsedBody = parseBody(entry)
  let callback: ParsedCallback | undefined
  let problems = 'problems' in parsedBody ? parsedBody.problems : undefined
  if ('body' in parsedBody) {
    try {
      callback = parse(parsedBody.body)
    } catch (error) {
      if (!(error instanceof InvalidCallbackError)) throw error
      problems = error.problems
    }
  }
  if (!callback) {
    const stillInvalid = problems ?? []
    await quarantine.keep({ ...entry, problems: stillInvalid, replayedAt: now().toISOString() })
    return { id, outcome: 'invalid', problems: stillInvalid }
  }
  if (callback.kind === 'ignored') {
    try {
      await forward?.(callback.eventType, bodyText(entry))
    } catch (error) {
      return { id, outcome: 'failed', reason: errorMessage(error) }
    }
    await quarantine.remove(id)
    return { id, outcome: 'ignored', eventType: callback.eventType }
  }
  let stored: number
  try {
    stored = await store(callback.results, entry.receivedAt)
  } catch (error) {
    return { id, outcome: 'failed', reason: errorMessage(error) }
  }
  await quarantine.remove(id)
  return { id, outcome: 'stored', stored }
}
