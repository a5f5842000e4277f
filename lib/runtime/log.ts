import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { redactSecrets, valueRedactor } from './redaction'

/** Structured log lines, one per call: what the functions need of a logger. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** Counters and timings, published once per invocation in CloudWatch's embedded metric format. */
export interface MetricsSink {
  addMetric(name: MetricName, unit: 'Count' | 'Milliseconds', value: number): void
}

/**
 * The metrics the functions publish; the alarms in resources/alarms.yml watch some of them (a test
 * checks that every alarm on this namespace names one of these).
 */
export const METRIC_NAMES = [
  'ResultsStored',
  'CallbacksIgnored',
  'CallbacksRejected',
  'CallbacksFailed',
  'ResultsQueued',
  'ResultsLogged',
  'ResultsRedriven',
  'StoreLatency',
  'CallbacksQuarantined',
  'QuarantineFailed',
  'EventsPublished',
  'EventsQueued',
  'EventsLogged',
  'EventsOversized',
  'FailuresWithoutOffset',
  'StoreFailures',
  'ResultsRecovered',
  'SignatureRejected',
  'ReconcileFailed',
] as const

export type MetricName = (typeof METRIC_NAMES)[number]

/** The namespace of the functions' metrics; their `service` dimension is the stage's name. */
export const METRICS_NAMESPACE = 'VodSnapshots'

/**
 * Powertools' logger: JSON lines with level, time, service, cold start and, inside a handler
 * wrapped by its middleware, the request ID. serverless.yml names the service after the stage.
 */
export const powertoolsLogger = new PowertoolsLogger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'vod-snapshots',
})

/**
 * Powertools' logger as a {@link Logger}, each call's fields as extra keys. It redacts nothing:
 * only ever used wrapped by {@link redactingLogger}, once (a second wrapper would walk and
 * measure every line again).
 */
export const powertoolsLines: Logger = {
  info: (message, fields = {}) => powertoolsLogger.info(message, fields),
  warn: (message, fields = {}) => powertoolsLogger.warn(message, fields),
  error: (message, fields = {}) => powertoolsLogger.error(message, fields),
}

/**
 * The functions' {@link Logger}: {@link powertoolsLines} with every secret the process
 * registered (lib/runtime/redaction.ts) replaced in any spelling.
 */
export const functionLogger: Logger = redactingLogger(powertoolsLines)

/** Powertools' metrics, flushed by its middy middleware at the end of each invocation. */
export const functionMetrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'vod-snapshots',
})

/**
 * Returns `text` cut to `maxChars` with every secret replaced, for logging bodies that come from
 * outside. Secrets are replaced before cutting so that no prefix of one survives at the edge.
 */
export function redactForLog(text: string, secrets: readonly string[], maxChars = 4096): string {
  const redacted = redactSecrets(text, secrets)
  return redacted.length > maxChars ? `${redacted.slice(0, maxChars)}…[truncated]` : redacted
}

/** CloudWatch Logs' limit on one event is 256 KB; a line is cut well before it. */
export const MAX_LOG_LINE_BYTES = 240_000

/**
 * A logger that never writes a secret: every secret the process registered, and `secrets`,
 * replaced in the keys and values of every line's fields however they are spelled (JSON and URL
 * escapes included); a line that would pass CloudWatch's event limit keeps only its size.
 */
export function redactingLogger(logger: Logger, secrets: readonly string[] = []): Logger {
  const clean = (fields: Record<string, unknown> = {}): Record<string, unknown> => {
    const bytes = Buffer.byteLength(JSON.stringify(fields) ?? '')
    if (bytes > MAX_LOG_LINE_BYTES) return { truncated: true, bytes }
    // Compiled once (patternOf caches it), again only after a new secret is registered.
    return valueRedactor(secrets)(fields) as Record<string, unknown>
  }
  return {
    info: (message, fields) => logger.info(message, clean(fields)),
    warn: (message, fields) => logger.warn(message, clean(fields)),
    error: (message, fields) => logger.error(message, clean(fields)),
  }
}

/** The message of anything thrown, for a log line. */
export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/** The log of an operator command, which prints what it did as its outcome instead. */
export const quietLogger: Logger = { info() {}, warn() {}, error() {} }

/** Metrics where nothing publishes them (an operator command on a terminal). */
export const noMetrics: MetricsSink = { addMetric() {} }
