import * as v from 'valibot'

/**
 * Turns valibot issues into `path: message` lines a person can act on. The root is called
 * `body` so that a message about the whole document still names where it applies.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const path = v.getDotPath(issue) ?? 'body'
    // valibot reports a missing key as an object issue that received undefined.
    const missing =
      issue.kind === 'schema' && issue.type === 'object' && issue.received === 'undefined'
    return `${path}: ${missing ? 'is required' : issue.message}`
  })
}
