import type middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { redactSecrets, valueRedactor } from './redaction'

/** Structured log lines, one per call: what the functions need of a logger. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** Counters and timings, published once per invocation in CloudWatch's embedded metric format. */
export interface MetricsSink {
  addMetric(name: MetricName, unit: MetricUnit, value: number): void
}

type MetricUnit = 'Count' | 'Milliseconds'

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

type LogLevel = 'info' | 'warn' | 'error'

/**
 * Lambda's log levels (advanced logging controls) mapped onto the three lines are written at:
 * there is no debug line, so TRACE and DEBUG write what INFO does.
 */
const LAMBDA_LOG_LEVELS: Record<string, LogLevel> = {
  TRACE: 'info',
  DEBUG: 'info',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'error',
}

/**
 * What the functions' logs and metrics take from their environment (serverless.yml sets it):
 * `SERVICE_NAME` is the `service` key of every line and the metrics' one dimension;
 * `METRICS_DISABLED=true` writes no metrics (the local stack has no CloudWatch); the least level
 * written is Lambda's own `AWS_LAMBDA_LOG_LEVEL`, INFO when the function does not set one.
 */
export function observabilitySettings(env: Record<string, string | undefined>) {
  return {
    service: env.SERVICE_NAME || 'vod-snapshots',
    level: LAMBDA_LOG_LEVELS[env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() ?? ''] ?? 'info',
    metricsDisabled: env.METRICS_DISABLED === 'true',
  }
}

const settings = observabilitySettings(process.env)

const LEVEL_NAMES: Record<LogLevel, string> = {
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
}
const LEVEL_ORDER: LogLevel[] = ['info', 'warn', 'error']
const leastLevel = LEVEL_ORDER.indexOf(settings.level)
const serviceKey = `,"service":${JSON.stringify(settings.service)}`

/**
 * The invocation's keys, serialised once by {@link observability} before each handler runs
 * (one invocation at a time per process, as in Lambda's standard runtime).
 */
let invocationKeys = ''
let coldStart = true

/**
 * Writes one JSON line on stdout: `level` (INFO, WARN, ERROR), `timestamp`, `service`, the
 * invocation's keys (`cold_start`, `function_name`, `function_request_id`, ...), the fields,
 * `message`. Written here rather than by a logging library: Powertools' Logger took about 25 µs
 * of CPU a line, and pino, as fast per line, maps every frame of the call stack through the
 * bundle's source map when it is created (`--enable-source-maps`): 75 ms of every cold start
 * (docs/performance.md).
 */
function writeLine(level: LogLevel, message: string, fields: Record<string, unknown>): void {
  if (LEVEL_ORDER.indexOf(level) < leastLevel) return
  let serialised: string
  try {
    serialised = JSON.stringify(fields)
  } catch (error) {
    // A log call never throws: fields JSON cannot hold (a BigInt, a cycle) are named instead.
    serialised = JSON.stringify({ unserialisable: errorMessage(error) })
  }
  const extra = serialised.length > 2 ? `,${serialised.slice(1, -1)}` : ''
  process.stdout.write(
    `{"level":"${LEVEL_NAMES[level]}","timestamp":"${new Date().toISOString()}"${serviceKey}${invocationKeys}${extra},"message":${JSON.stringify(message)}}\n`,
  )
}

/**
 * The lines as a {@link Logger}, each call's fields as extra keys. It redacts nothing: not
 * exported, only used wrapped by {@link redactingLogger} as {@link functionLogger}.
 */
const jsonLines: Logger = {
  info: (message, fields = {}) => writeLine('info', message, fields),
  warn: (message, fields = {}) => writeLine('warn', message, fields),
  error: (message, fields = {}) => writeLine('error', message, fields),
}

/**
 * The functions' {@link Logger}: {@link jsonLines} with every secret the process registered
 * (lib/runtime/redaction.ts) replaced in any spelling.
 */
export const functionLogger: Logger = redactingLogger(jsonLines)

/** CloudWatch takes at most 100 values of one metric in one EMF document. */
const MAX_VALUES_PER_METRIC = 100

/**
 * Metrics in CloudWatch's embedded metric format: one JSON line per invocation on stdout, with
 * every value added during it, which CloudWatch Logs turns into metrics of the namespace with a
 * `service` dimension. Nothing is written when none was added. The line is put together from
 * pieces serialised once: the names and units come from {@link METRIC_NAMES} and the units
 * above, and a value that is not a finite number (which CloudWatch would refuse) is left out.
 */
export class EmbeddedMetrics implements MetricsSink {
  readonly #values = new Map<MetricName, { unit: MetricUnit; values: number[] }>()
  readonly #directive: string
  readonly #dimension: string

  constructor(
    private readonly options: {
      namespace: string
      service: string
      disabled?: boolean
      write?: (line: string) => void
    },
  ) {
    this.#directive = `"CloudWatchMetrics":[{"Namespace":${JSON.stringify(options.namespace)},"Dimensions":[["service"]],"Metrics":[`
    this.#dimension = `"service":${JSON.stringify(options.service)}`
  }

  addMetric(name: MetricName, unit: MetricUnit, value: number): void {
    if (this.options.disabled || !Number.isFinite(value)) return
    let metric = this.#values.get(name)
    if (!metric) {
      metric = { unit, values: [] }
      this.#values.set(name, metric)
    }
    metric.values.push(value)
    if (metric.values.length >= MAX_VALUES_PER_METRIC) this.flush()
  }

  /** Writes what was added as one EMF line and forgets it. */
  flush(): void {
    if (this.#values.size === 0) return
    let definitions = ''
    let values = ''
    for (const [name, metric] of this.#values) {
      definitions += `${definitions === '' ? '' : ','}{"Name":"${name}","Unit":"${metric.unit}"}`
      const [only] = metric.values
      values += `,"${name}":${metric.values.length === 1 ? only : `[${metric.values.join(',')}]`}`
    }
    this.#values.clear()
    const { write = writeStdout } = this.options
    write(
      `{"_aws":{"Timestamp":${Date.now()},${this.#directive}${definitions}]}]},${this.#dimension}${values}}\n`,
    )
  }
}

const writeStdout = (line: string) => {
  process.stdout.write(line)
}

/** The functions' metrics, flushed by {@link functionObservability} at the end of each invocation. */
export const functionMetrics = new EmbeddedMetrics({
  namespace: METRICS_NAMESPACE,
  service: settings.service,
  disabled: settings.metricsDisabled,
})

// The function's own keys, the same for every invocation of a container: serialised once.
let functionKeysOf: { arn: string; keys: string } | undefined
function functionKeys(context: Context | undefined): string {
  if (!context) return ''
  if (functionKeysOf?.arn !== context.invokedFunctionArn) {
    const keys = JSON.stringify({
      function_name: context.functionName,
      function_memory_size: Number(context.memoryLimitInMB) || undefined,
      function_arn: context.invokedFunctionArn,
    })
    functionKeysOf = { arn: context.invokedFunctionArn, keys: `,${keys.slice(1, -1)}` }
  }
  return functionKeysOf.keys
}

/**
 * The first middleware of a function: the invocation's keys on every log line before the
 * handler runs, and `metrics` flushed after it, whether it answered or threw.
 */
export function observability(
  metrics: EmbeddedMetrics,
): middy.MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: ({ context }) => {
      // Lambda sets it for each invocation when tracing is active: `Root=1-...;Parent=...`.
      const trace = process.env._X_AMZN_TRACE_ID
      const traceId = trace ? /Root=([^;]*)/.exec(trace)?.[1] : undefined
      invocationKeys = `,"cold_start":${coldStart}${functionKeys(context)}${
        context?.awsRequestId === undefined
          ? ''
          : `,"function_request_id":${JSON.stringify(context.awsRequestId)}`
      }${traceId === undefined ? '' : `,"xray_trace_id":${JSON.stringify(traceId)}`}`
      coldStart = false
    },
    after: () => metrics.flush(),
    onError: () => metrics.flush(),
  }
}

/** {@link observability} with {@link functionMetrics}: what every function's handler uses first. */
export const functionObservability = observability(functionMetrics)

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
    if (!surelyShort(fields)) {
      let text: string | undefined
      try {
        text = JSON.stringify(fields)
      } catch (error) {
        // Fields JSON cannot hold (a cycle, a BigInt): named instead, and the line still written.
        // The reason may quote a key of the fields (V8 names the one closing a cycle): redacted.
        return valueRedactor(secrets)({ unserialisable: errorMessage(error) }) as Record<
          string,
          unknown
        >
      }
      const bytes = Buffer.byteLength(text ?? '')
      if (bytes > MAX_LOG_LINE_BYTES) return { truncated: true, bytes }
    }
    // Compiled once (patternOf caches it), again only after a new secret is registered.
    return valueRedactor(secrets)(fields) as Record<string, unknown>
  }
  return {
    info: (message, fields) => logger.info(message, clean(fields)),
    warn: (message, fields) => logger.warn(message, clean(fields)),
    error: (message, fields) => logger.error(message, clean(fields)),
  }
}

/**
 * True when fields of numbers, booleans and short strings cannot come near
 * {@link MAX_LOG_LINE_BYTES}, without serialising them: most lines. Anything else is measured.
 */
function surelyShort(fields: Record<string, unknown>): boolean {
  let chars = 0
  for (const key in fields) {
    const value = fields[key]
    if (typeof value === 'string') chars += value.length
    else if (typeof value === 'object' && value !== null) return false
    chars += key.length + 32
  }
  // A UTF-16 unit is at most 6 bytes of JSON (\u escapes): far below the limit either way.
  return chars * 6 < MAX_LOG_LINE_BYTES
}

/** The message of anything thrown, for a log line. */
export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)

/** The log of an operator command, which prints what it did as its outcome instead. */
export const quietLogger: Logger = { info() {}, warn() {}, error() {} }

/** Metrics where nothing publishes them (an operator command on a terminal). */
export const noMetrics: MetricsSink = { addMetric() {} }
