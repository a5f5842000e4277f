/** Structured JSON log lines, one per call: what CloudWatch Logs Insights queries best. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

const line = (level: string, message: string, fields?: Record<string, unknown>) =>
  JSON.stringify({ level, message, ...fields })

/** Writes to the console, which Lambda forwards to CloudWatch Logs. */
export const consoleLogger: Logger = {
  info: (message, fields) => console.log(line('INFO', message, fields)),
  warn: (message, fields) => console.warn(line('WARN', message, fields)),
  error: (message, fields) => console.error(line('ERROR', message, fields)),
}

/**
 * Returns `text` cut to `maxChars` with every secret replaced, for logging bodies that come from
 * outside. Secrets are replaced before cutting so that no prefix of one survives at the edge.
 */
export function redactForLog(text: string, secrets: readonly string[], maxChars = 4096): string {
  let redacted = text
  for (const secret of secrets) redacted = redacted.replaceAll(secret, '[REDACTED]')
  return redacted.length > maxChars ? `${redacted.slice(0, maxChars)}…[truncated]` : redacted
}
