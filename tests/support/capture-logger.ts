import type { Logger, MetricName, MetricsSink } from '../../lib/runtime/log'

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

/** A metrics sink that keeps every value, to assert what the function counted. */
export function captureMetrics(): MetricsSink & { totals(): Record<string, number> } {
  const values: [MetricName, number][] = []
  return {
    addMetric: (name, _unit, value) => {
      values.push([name, value])
    },
    totals: () => {
      const totals: Record<string, number> = {}
      for (const [name, value] of values) totals[name] = (totals[name] ?? 0) + value
      return totals
    },
  }
}
