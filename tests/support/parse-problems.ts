import { InvalidCallbackError, parseCallback } from '../../lib/events/parse-callback'

/** The problems parseCallback names for a body it refuses; fails the test if it accepts it. */
export function problemsOf(body: unknown): string[] {
  try {
    parseCallback(body)
  } catch (error) {
    if (error instanceof InvalidCallbackError) return error.problems
    throw error
  }
  throw new Error('the body was accepted')
}
