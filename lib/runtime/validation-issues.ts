import * as v from 'valibot'

/** The most problems one answer or log line lists: a hostile body can hold hundreds of thousands. */
export const MAX_PROBLEMS = 20

/**
 * Turns valibot issues into `path: message` lines a person can act on, the first
 * {@link MAX_PROBLEMS} of them and a line counting the rest. The root is called `body` so that a
 * message about the whole document still names where it applies.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  const lines = issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const path = v.getDotPath(issue) ?? 'body'
    // valibot reports a missing key as an object issue that received undefined.
    const missing =
      issue.kind === 'schema' && issue.type === 'object' && issue.received === 'undefined'
    return `${path}: ${missing ? 'is required' : issue.message}`
  })
  const more = issues.length - MAX_PROBLEMS
  return more > 0 ? [...lines, `…and ${more} more problem(s)`] : lines
}
