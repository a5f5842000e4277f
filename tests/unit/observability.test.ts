import middy from '@middy/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  EmbeddedMetrics,
  functionLogger,
  type Logger,
  MAX_LOG_LINE_BYTES,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  observability,
  observabilitySettings,
  redactingLogger,
} from '../../lib/runtime/log'
import { registerSecrets } from '../../lib/runtime/redaction'
import { lambdaContext } from '../support/http-event'

/** Runs `work` and returns the JSON lines it wrote to stdout. */
async function stdoutOf(work: () => unknown): Promise<Record<string, unknown>[]> {
  const written: string[] = []
  const { write } = process.stdout
  process.stdout.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof write
  try {
    await work()
  } finally {
    process.stdout.write = write
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line))
}

function capturedMetrics(options: { disabled?: boolean } = {}) {
  const lines: string[] = []
  const metrics = new EmbeddedMetrics({
    namespace: METRICS_NAMESPACE,
    service: 'vod-snapshots-test',
    write: (line) => lines.push(line),
    ...options,
  })
  return { metrics, lines }
}

describe('the log lines', () => {
  afterEach(() => vi.unstubAllEnvs())

  it("carry level, timestamp, service, message, the invocation's keys and only their own fields", async () => {
    const { metrics } = capturedMetrics()
    const handler = middy(async () => {
      functionLogger.info('callback stored', { vodTaskId: 'task-1', results: 2 })
      functionLogger.warn('callback rejected', { statusCode: 422 })
    }).use(observability(metrics))
    const context = { ...lambdaContext(), awsRequestId: 'request-1' }

    const lines = await stdoutOf(() => handler({}, context))

    expect(lines).toHaveLength(2)
    expect(lines[0]).toStrictEqual({
      level: 'INFO',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      // SERVICE_NAME, which serverless.yml sets to the stage's name; unset here.
      service: 'vod-snapshots',
      cold_start: expect.any(Boolean),
      function_name: context.functionName,
      function_memory_size: Number(context.memoryLimitInMB),
      function_arn: context.invokedFunctionArn,
      function_request_id: 'request-1',
      vodTaskId: 'task-1',
      results: 2,
      message: 'callback stored',
    })
    // A line never carries the fields of the line before it.
    expect(lines[1]).toMatchObject({
      level: 'WARN',
      statusCode: 422,
      function_request_id: 'request-1',
    })
    expect(lines[1]).not.toHaveProperty('vodTaskId')
    expect(lines[1]).not.toHaveProperty('results')
  })

  it('mark the first invocation of a process cold, and give the next its own request ID, not cold, and its X-Ray trace', async () => {
    // A fresh module: the process's first invocation.
    vi.resetModules()
    const log = await import('../../lib/runtime/log')
    const { metrics } = capturedMetrics()
    const handler = middy(async () => log.functionLogger.info('vod event stored')).use(
      log.observability(metrics),
    )
    const [first] = await stdoutOf(() => handler({}, { ...lambdaContext(), awsRequestId: 'first' }))
    vi.stubEnv(
      '_X_AMZN_TRACE_ID',
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f;Sampled=1',
    )

    const [second] = await stdoutOf(() =>
      handler({}, { ...lambdaContext(), awsRequestId: 'second' }),
    )

    expect(first).toMatchObject({ cold_start: true, function_request_id: 'first' })
    expect(first).not.toHaveProperty('xray_trace_id')
    expect(second).toMatchObject({
      cold_start: false,
      function_request_id: 'second',
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
    })
  })

  it('never throw: fields JSON cannot hold are named instead', async () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const lines = await stdoutOf(() => {
      functionLogger.info('callback stored', { results: 10n })
      functionLogger.warn('callback rejected', { problems: cycle })
    })
    expect(lines.map((line) => line.message)).toStrictEqual([
      'callback stored',
      'callback rejected',
    ])
    expect(lines[0]?.unserialisable).toMatch(/BigInt/)
    expect(lines[1]?.unserialisable).toMatch(/circular/i)
  })

  it('redact a secret that the reason a line cannot be serialised quotes', async () => {
    // Found in review: V8 names the key that closes a cycle, and that reason was not redacted.
    const secret = 'observability-cycle-secret-0123'
    registerSecrets([secret])
    const cycle: Record<string, unknown> = {}
    cycle[secret] = cycle
    const lines = await stdoutOf(() => functionLogger.warn('callback rejected', { cycle }))
    expect(lines[0]?.unserialisable).toMatch(/circular/i)
    expect(JSON.stringify(lines)).not.toContain(secret)
  })

  it('replace a registered secret in fields, keys and values alike', async () => {
    const secret = 'observability-secret-0123456789'
    registerSecrets([secret])
    const lines = await stdoutOf(() =>
      functionLogger.error('callback failed', { reason: `bad ${secret}`, [secret]: 1 }),
    )
    expect(JSON.stringify(lines)).not.toContain(secret)
    expect(lines[0]).toMatchObject({ reason: 'bad [REDACTED]', '[REDACTED]': 1 })
  })
})

describe('the size cap of a line', () => {
  const capture = () => {
    const lines: (Record<string, unknown> | undefined)[] = []
    const logger: Logger = {
      info: (_, fields) => lines.push(fields),
      warn: (_, fields) => lines.push(fields),
      error: (_, fields) => lines.push(fields),
    }
    return { logger: redactingLogger(logger), lines }
  }

  it('measures fields whose short strings add up, and those whose escapes do', () => {
    const { logger, lines } = capture()
    logger.warn('callback rejected', {
      problems: Array.from({ length: 30_000 }, () => 'a'.repeat(10)),
    })
    // 45,000 control characters: 45 KB of text, 270 KB once JSON escapes each as \u0001.
    logger.warn('callback rejected', { body: '\u0001'.repeat(45_000) })
    logger.info('callback stored', { vodTaskId: 't'.repeat(2048), results: 1000 })

    expect(lines[0]).toMatchObject({ truncated: true })
    expect(lines[1]).toStrictEqual({ truncated: true, bytes: 270_000 + 11 })
    expect(lines[2]).toStrictEqual({ vodTaskId: 't'.repeat(2048), results: 1000 })
    expect(Number(lines[0]?.bytes)).toBeGreaterThan(MAX_LOG_LINE_BYTES)
  })
})

describe('observabilitySettings', () => {
  it("takes the service, the metrics switch and Lambda's log level from the environment", () => {
    expect(observabilitySettings({})).toStrictEqual({
      service: 'vod-snapshots',
      level: 'info',
      metricsDisabled: false,
    })
    expect(
      observabilitySettings({
        SERVICE_NAME: 'vod-snapshots-prod',
        METRICS_DISABLED: 'true',
        AWS_LAMBDA_LOG_LEVEL: 'WARN',
      }),
    ).toStrictEqual({ service: 'vod-snapshots-prod', level: 'warn', metricsDisabled: true })
    // No line is written at debug: TRACE and DEBUG write what INFO does.
    expect(observabilitySettings({ AWS_LAMBDA_LOG_LEVEL: 'TRACE' }).level).toBe('info')
    expect(observabilitySettings({ AWS_LAMBDA_LOG_LEVEL: 'FATAL' }).level).toBe('error')
    // Anything Lambda would not set is INFO rather than a function that cannot start.
    expect(observabilitySettings({ AWS_LAMBDA_LOG_LEVEL: 'verbose' }).level).toBe('info')
  })

  it('leaves out lines under the level Lambda sets', async () => {
    vi.resetModules()
    vi.stubEnv('AWS_LAMBDA_LOG_LEVEL', 'ERROR')
    try {
      const { functionLogger: errorsOnly } = await import('../../lib/runtime/log')
      const lines = await stdoutOf(() => {
        errorsOnly.info('callback stored')
        errorsOnly.warn('callback rejected')
        errorsOnly.error('callback failed')
      })
      expect(lines.map((line) => line.message)).toStrictEqual(['callback failed'])
    } finally {
      vi.unstubAllEnvs()
      vi.resetModules()
    }
  })
})

describe('EmbeddedMetrics', () => {
  it('writes nothing when nothing was added', () => {
    const { metrics, lines } = capturedMetrics()
    metrics.flush()
    expect(lines).toStrictEqual([])
  })

  it("writes one EMF document of the invocation's values, each metric named at the top level", () => {
    const { metrics, lines } = capturedMetrics()
    metrics.addMetric('ResultsStored', 'Count', 25)
    metrics.addMetric('StoreLatency', 'Milliseconds', 12)
    metrics.addMetric('StoreLatency', 'Milliseconds', 7)
    metrics.flush()
    metrics.flush()

    expect(lines).toHaveLength(1)
    expect(lines[0]?.endsWith('\n')).toBe(true)
    const document = JSON.parse(lines[0] as string)
    expect(document).toStrictEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'VodSnapshots',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'ResultsStored', Unit: 'Count' },
              { Name: 'StoreLatency', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      service: 'vod-snapshots-test',
      ResultsStored: 25,
      StoreLatency: [12, 7],
    })
    expect(Math.abs(document._aws.Timestamp - Date.now())).toBeLessThan(60_000)
  })

  it('writes every metric name the alarms may watch as valid JSON', () => {
    const { metrics, lines } = capturedMetrics()
    for (const name of METRIC_NAMES) metrics.addMetric(name, 'Count', 1.5)
    metrics.flush()
    const document = JSON.parse(lines[0] as string)
    expect(document._aws.CloudWatchMetrics[0].Metrics).toHaveLength(METRIC_NAMES.length)
    for (const name of METRIC_NAMES) expect(document[name]).toBe(1.5)
  })

  it('flushes a metric at 100 values, the most CloudWatch takes in one document', () => {
    const { metrics, lines } = capturedMetrics()
    for (let i = 0; i < 150; i++) metrics.addMetric('ResultsRecovered', 'Count', i)
    metrics.flush()
    const documents = lines.map((line) => JSON.parse(line))
    expect(documents.map((document) => document.ResultsRecovered.length)).toStrictEqual([100, 50])
  })

  it('leaves out a value that is not a finite number, which CloudWatch would refuse', () => {
    const { metrics, lines } = capturedMetrics()
    metrics.addMetric('StoreLatency', 'Milliseconds', Number.NaN)
    metrics.addMetric('StoreLatency', 'Milliseconds', Number.POSITIVE_INFINITY)
    metrics.flush()
    expect(lines).toStrictEqual([])
  })

  it('writes nothing when disabled', () => {
    const { metrics, lines } = capturedMetrics({ disabled: true })
    metrics.addMetric('ResultsStored', 'Count', 1)
    metrics.flush()
    expect(lines).toStrictEqual([])
  })

  it('is flushed by the middleware whether the handler answered or threw', async () => {
    const { metrics, lines } = capturedMetrics()
    const answering = middy(async () => metrics.addMetric('ResultsStored', 'Count', 3)).use(
      observability(metrics),
    )
    const throwing = middy(async () => {
      metrics.addMetric('StoreFailures', 'Count', 1)
      throw new Error('store failed')
    }).use(observability(metrics))

    await answering({}, lambdaContext())
    await expect(throwing({}, lambdaContext())).rejects.toThrow('store failed')

    expect(lines.map((line) => Object.keys(JSON.parse(line)).at(-1))).toStrictEqual([
      'ResultsStored',
      'StoreFailures',
    ])
  })
})
