import type { Logger } from '../../lib/log'

export interface LogLine {
  level: 'INFO' | 'WARN' | 'ERROR'
  message: string
  fields?: Record<string, unknown>
}

/** A logger that keeps every line, to assert what the function logged and what it never did. */
export function captureLogger(): Logger & { lines: LogLine[]; text(): string } {
  const lines: LogLine[] = []
  const push = (level: LogLine['level']) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields })
  }
  return {
    lines,
    info: push('INFO'),
    warn: push('WARN'),
    error: push('ERROR'),
    text: () => JSON.stringify(lines),
  }
}
