import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import type { Context } from 'aws-lambda'
import * as v from 'valibot'
import { parseConfig } from '../runtime/config'
import type { Logger } from '../runtime/log'
import {
  type ReconcileDependencies,
  type ReconcileReport,
  reconcile,
  VOD_TASK_RETENTION_MS,
} from './reconcile'
import type { VodTaskApi } from './vod-tasks'

/**
 * Where the scheduled reconcile keeps its position between invocations: one item of the table,
 * under a key no screenshot can have (a VOD task ID never holds `#`, a task-flow key never starts
 * with it). Applications that Scan the table skip it by its `vodTaskId`.
 */
const CHECKPOINT_KEY = { vodTaskId: { S: '#reconcile' }, timeOffset: { N: '0' } }

/** What an invocation leaves for the next one to do: at least the window. */
export interface ReconcileCheckpoint {
  read(): Promise<string | undefined>
  write(resumeFrom: string): Promise<void>
}

/** The checkpoint item in the results table (GetItem and PutItem on that key only). */
export function tableCheckpoint(client: DynamoDBClient, tableName: string): ReconcileCheckpoint {
  return {
    async read() {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: CHECKPOINT_KEY, ConsistentRead: true }),
      )
      return Item?.resumeFrom?.S
    },
    async write(resumeFrom) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...CHECKPOINT_KEY, resumeFrom: { S: resumeFrom } },
        }),
      )
    },
  }
}

const minutes = (name: string, fallback: string, max: number) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.transform((text) => (text === '' ? fallback : text)),
    v.regex(/^[1-9]\d{0,4}$/, `${name} must be a whole number of minutes`),
    v.transform(Number),
    v.maxValue(max, `${name} must be at most ${max} minutes`),
  )

const ReconcileWindowSchema = v.object({
  // Each run looks this far back: with runs every 15 minutes, a task is examined 4 times.
  RECONCILE_WINDOW_MINUTES: minutes('RECONCILE_WINDOW_MINUTES', '60', 24 * 60),
  // A task that finished just now may have its callback in flight: it waits for the next run.
  RECONCILE_LAG_MINUTES: minutes('RECONCILE_LAG_MINUTES', '10', 24 * 60),
})

/**
 * The scheduled reconcile's window settings, in ms.
 * @throws {ConfigError} naming every problem
 */
export function loadReconcileWindow(env: Record<string, string | undefined>) {
  const parsed = parseConfig(ReconcileWindowSchema, env)
  return {
    windowMs: parsed.RECONCILE_WINDOW_MINUTES * 60_000,
    lagMs: parsed.RECONCILE_LAG_MINUTES * 60_000,
  }
}

export interface ScheduledReconcileDependencies
  extends Omit<ReconcileDependencies, 'vod' | 'deadline' | 'onPage'> {
  vod: () => Promise<VodTaskApi>
  checkpoint: ReconcileCheckpoint
  windowMs: number
  lagMs: number
  /** Kept back from the invocation's time for the checkpoint and the metrics. */
  marginMs?: number
}

/** A run that did not finish: the function fails, and the ReconcileFailed alarm says so. */
class ReconcileFailedError extends Error {
  override name = 'ReconcileFailedError'
}

/**
 * The scheduled function: reconciles [now − lag − window, now − lag), or from where the last
 * invocation stopped when that is earlier (never past VOD's 72 hours), until its own time is
 * nearly up; then records where the next one goes on. Recovered results are counted
 * (ResultsRecovered) and announced by the one road.
 */
export function createReconcileHandler(deps: ScheduledReconcileDependencies) {
  const { checkpoint, windowMs, lagMs, marginMs = 20_000, now = () => new Date(), ...rest } = deps
  const logger: Logger = rest.road.logger
  return async (_event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const started = now().getTime()
    const until = started - lagMs
    // VOD forgets a task 72 hours after its creation: keep a margin for the time this run takes.
    const oldest = started - VOD_TASK_RETENTION_MS + 3_600_000
    let since = until - windowMs
    const resumeFrom = await checkpoint.read()
    const resume = resumeFrom === undefined ? Number.NaN : Date.parse(resumeFrom)
    if (resume < since) since = Math.max(resume, oldest)
    const remaining = context?.getRemainingTimeInMillis() ?? 60_000
    const report: ReconcileReport = await reconcile(
      { since: new Date(since), until: new Date(until) },
      { ...rest, now, vod: await deps.vod(), deadline: Date.now() + remaining - marginMs },
    )
    await checkpoint.write(report.complete ? report.until : (report.resumeFrom ?? report.since))
    logger.info('reconcile finished', { ...report })
    if (report.error) throw new ReconcileFailedError(`reconcile stopped: ${report.error}`)
    return report
  }
}
