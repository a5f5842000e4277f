import * as v from 'valibot'

/** The most problems one answer or log line lists: a hostile body can hold hundreds of thousands. */
const MAX_PROBLEMS = 20

/** The longest problem line: a path is built from schema keys and indexes, so this is generous. */
const MAX_PROBLEM_CHARS = 300

// valibot's own messages read "Invalid type: Expected X but received <the value>": they quote
// what came, which may be a secret. Schemas given a message of their own never do.
const DEFAULT_MESSAGE = /^Invalid [^:]+: (Expected|Received) /

/**
 * One issue as `path: what was expected`, never with the value received. A schema's own message
 * is kept; valibot's default message is replaced by the `expected` part of the issue.
 */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? 'body'
  // valibot reports a missing key as an object issue that received undefined.
  if (issue.kind === 'schema' && issue.type === 'object' && issue.received === 'undefined') {
    return `${path}: is required`
  }
  const line = DEFAULT_MESSAGE.test(issue.message)
    ? `${path}: expected ${issue.expected ?? 'another value'}`
    : `${path}: ${issue.message}`
  return line.length > MAX_PROBLEM_CHARS ? `${line.slice(0, MAX_PROBLEM_CHARS)}…` : line
}

/**
 * Turns valibot issues into `path: message` lines a person can act on, the first
 * {@link MAX_PROBLEMS} of them and a line counting the rest. The root is called `body` so that a
 * message about the whole document still names where it applies. No line quotes a received value.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  // Two checks of one value may fail with one message (a URL that is neither a URL nor http):
  // said once.
  const lines = [...new Set(issues.slice(0, MAX_PROBLEMS).map(describeIssue))]
  const more = issues.length - MAX_PROBLEMS
  return more > 0 ? [...lines, `…and ${more} more problem(s)`] : lines
}
