/**
 * The JSON value one exported log line holds: the text before the JSON (CloudWatch's time and
 * request ID) is skipped, and Lambda's JSON log format, which wraps the line as a string in
 * `message`, is unwrapped. Undefined for a line that holds no JSON.
 */
export function jsonOfLogLine(line: string): unknown {
  const start = line.indexOf('{')
  if (start < 0) return undefined
  let value: unknown
  try {
    value = JSON.parse(line.slice(start))
  } catch {
    return undefined
  }
  const wrapped = (value as { message?: unknown } | null)?.message
  return typeof wrapped === 'string' && wrapped.startsWith('{') ? jsonOfLogLine(wrapped) : value
}
