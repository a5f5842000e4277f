import pLimit from 'p-limit'
import pRetry, { AbortError } from 'p-retry'
import pThrottle from 'p-throttle'
import type {
  DescribeTasksResponse,
  TaskSimpleInfo,
} from 'tencentcloud-sdk-nodejs-vod/tencentcloud/services/vod/v20180717/vod_models'
import { keepInvalidEvent } from '../durability/keep-rejected'
import { type Quarantine, quarantineId } from '../durability/quarantine'
import { PROCEDURE_EVENT_TYPE, SNAPSHOT_EVENT_TYPE } from '../events/snapshot-result'
import { handleVodEvent, type RoadDependencies } from '../intake/handle-vod-event'
import { vodErrorCode } from '../pull/vod-client'
import { errorMessage } from '../runtime/log'
import { vodTime } from '../runtime/vod-time'
import { OTHER_VOD_TASK_TYPES, type VodTaskApi } from './vod-tasks'

/** VOD answers for the tasks of the last 72 hours only. */
export const VOD_TASK_RETENTION_MS = 72 * 3_600_000

/** VOD's published limit for DescribeTasks and DescribeTaskDetail, per second. */
const VOD_TASK_API_RATE = 100

/** The TaskTypes whose detail can hold time-offset screenshots, and the event each becomes. */
const SCREENSHOT_TASK_TYPES: Record<string, (detail: Record<string, unknown>) => unknown> = {
  // ProcedureTask is the object a callback carries as ProcedureStateChangeEvent.
  Procedure: (detail) => ({
    EventType: PROCEDURE_EVENT_TYPE,
    ProcedureStateChangeEvent: detail.ProcedureTask,
  }),
  // SnapshotByTimeOffsetTask2017 is the 2017 event's content.
  SnapshotByTimeOffset: (detail) => ({
    EventType: SNAPSHOT_EVENT_TYPE,
    SnapshotByTimeOffsetCompleteEvent: detail.SnapshotByTimeOffsetTask,
  }),
}

/** The other TaskTypes VOD documents: never screenshots, skipped without a warning. */
const KNOWN_TASK_TYPES: ReadonlySet<string> = new Set(OTHER_VOD_TASK_TYPES)

/** VOD's answers worth asking again, after a pause. */
const RETRIED_CODES = new Set(['RequestLimitExceeded', 'InternalError', 'ResourceUnavailable'])

/** A failure worth another try: a code VOD says is passing, or none (the network, a timeout). */
function isRetried(error: unknown): boolean {
  const code = vodErrorCode(error)
  return code === undefined || RETRIED_CODES.has(code)
}

/** What one run found, for the last line, `--json` and the metrics. */
export interface ReconcileReport {
  since: string
  until: string
  /** Finished tasks VOD listed in the window. */
  listed: number
  /** Tasks whose detail was asked for: the TaskTypes that can hold screenshots. */
  examined: number
  /** Listed tasks of other TaskTypes, by type; an unknown type is logged too. */
  skipped: Record<string, number>
  /** Screenshot results the details held. */
  found: number
  /** Of those, results the table had already (a callback or an earlier run stored them). */
  present: number
  /** Results written now (with --dry-run: that would be written). */
  recovered: number
  /** Details that failed validation: kept in the quarantine (or the log). */
  invalid: number
  /** Tasks VOD no longer described when asked (older than 3 days by then). */
  vanished: number
  /** False when the run stopped early: at its deadline (`resumeFrom` says where) or on an error. */
  complete: boolean
  /** The FinishTime from which a later run goes on, when the deadline stopped this one. */
  resumeFrom?: string
  /** What stopped the run: VOD's error code or the store's, in words. */
  error?: string
}

export interface ReconcileDependencies {
  vod: VodTaskApi
  subAppId?: number
  /** The one road's dependencies: the table, the client, logs, metrics, forwarding. */
  road: Omit<RoadDependencies, 'onlyMissing' | 'dryRun' | 'keepUnstored'>
  /** Where a detail that fails validation is kept, as a rejected callback is. */
  quarantine?: Quarantine
  /** Count what is missing; write, announce and keep nothing. */
  dryRun?: boolean
  /** Epoch ms after which no new page is started; the run reports where to resume. */
  deadline?: number
  /** Calls per second, all calls together (default 98: under VOD's 100 with room for clocks). */
  ratePerSecond?: number
  /** Details asked for at once (default 20: 100 calls a second at up to 200 ms each). */
  concurrency?: number
  /** Called after each page, for progress. */
  onPage?: (report: ReconcileReport) => void
  now?: () => Date
  /** Retry pauses; tests shorten them. */
  retry?: { retries?: number; minTimeout?: number; maxTimeout?: number }
}

/** A run stopped by VOD's API or the store: what it had done is in `report`. */
class ReconcileStopped extends Error {
  override name = 'ReconcileStopped'
}

const iso = (date: Date) => vodTime(date.getTime())
// VOD's times are whole seconds and Before is exclusive: the end is rounded up, so a task that
// finished in the window's last second is listed.
const isoCeil = (date: Date) => iso(new Date(Math.ceil(date.getTime() / 1000) * 1000))

/**
 * Asks VOD's task API for every task that finished in [since, until) and passes the screenshot
 * results of each down the one road ({@link handleVodEvent}) in its reconcile mode: only what the
 * table lacks is written, marked `origin: "reconcile"`, and announced; what a callback stored
 * stays as it is. Pages are followed in FinishTime order, so a run stopped at its deadline
 * resumes from the last FinishTime it finished. Calls are throttled under VOD's 100 a second and
 * `RequestLimitExceeded` is retried with backoff. A second run over the same window writes
 * nothing.
 *
 * Never throws: an API or store error ends the run with `complete: false` and `error`.
 */
export async function reconcile(
  window: { since: Date; until: Date },
  deps: ReconcileDependencies,
): Promise<ReconcileReport> {
  const { vod, subAppId, road, dryRun = false, now = () => new Date() } = deps
  const { logger } = road
  const report: ReconcileReport = {
    since: iso(window.since),
    until: isoCeil(window.until),
    listed: 0,
    examined: 0,
    skipped: {},
    found: 0,
    present: 0,
    recovered: 0,
    invalid: 0,
    vanished: 0,
    complete: false,
  }
  // Under VOD's limit by a margin: its second and ours need not start together.
  const rate = deps.ratePerSecond ?? VOD_TASK_API_RATE - 2
  const throttle = pThrottle({ limit: rate, interval: 1000, strict: true })
  const call = <T>(action: string, send: () => Promise<T>) =>
    pRetry(throttle(send), {
      retries: deps.retry?.retries ?? 8,
      minTimeout: deps.retry?.minTimeout ?? 200,
      maxTimeout: deps.retry?.maxTimeout ?? 5000,
      randomize: true,
      // p-retry asks only while another attempt can follow, and not for an error it never
      // retries (a TypeError that is not the network's): only a retry is announced as one.
      shouldRetry: ({ error }) => {
        const retried = isRetried(error)
        if (retried) {
          logger.warn('vod task api retried', { action, code: vodErrorCode(error) ?? 'network' })
        }
        return retried
      },
    })
  const limit = pLimit(deps.concurrency ?? 20)
  const sub = subAppId === undefined ? {} : { SubAppId: subAppId }

  const examine = async (task: TaskSimpleInfo) => {
    const type = task.TaskType ?? ''
    const toEvent = SCREENSHOT_TASK_TYPES[type]
    if (!toEvent) {
      report.skipped[type || '(none)'] = (report.skipped[type || '(none)'] ?? 0) + 1
      if (!KNOWN_TASK_TYPES.has(type)) logger.warn('unknown vod task type skipped', { type })
      return
    }
    report.examined++
    const taskId = task.TaskId ?? ''
    let detail: Record<string, unknown>
    try {
      detail = (await call('DescribeTaskDetail', () =>
        vod.DescribeTaskDetail({ TaskId: taskId, ...sub }),
      )) as unknown as Record<string, unknown>
    } catch (error) {
      if (vodErrorCode(error) === 'ResourceNotFound') {
        report.vanished++
        return
      }
      throw new ReconcileStopped(
        `DescribeTaskDetail: ${vodErrorCode(error) ?? errorMessage(error)}`,
      )
    }
    const body = toEvent(detail)
    const receivedAt = now().toISOString()
    const requestId = `reconcile-${taskId}`
    const text = () => JSON.stringify(body)
    const outcome = await handleVodEvent(
      { kind: 'event', body, text, receivedAt, id: quarantineId(receivedAt, requestId) },
      { ...road, ...(dryRun ? { forwarding: undefined } : {}), onlyMissing: true, dryRun },
      // No sender waits: the writes stop after their attempts.
      { publishMs: () => 5000 },
    )
    switch (outcome.kind) {
      case 'stored':
        report.found += outcome.results
        report.recovered += outcome.stored
        report.present += outcome.results - outcome.stored
        if (outcome.stored > 0 && !dryRun) {
          logger.warn('results recovered', { vodTaskId: outcome.taskId, recovered: outcome.stored })
        }
        return
      case 'ignored':
        return
      case 'invalid':
        report.invalid++
        if (!dryRun) {
          await keepInvalidEvent(
            {
              problems: outcome.problems,
              receivedAt,
              requestId,
              text: text(),
              eventType: (body as { EventType: string }).EventType,
            },
            { quarantine: deps.quarantine, logger, metrics: road.metrics, timeoutMs: 5000 },
          )
        }
        return
      case 'unstored':
        // What was written before the store gave up is recovered (and in ResultsRecovered), what
        // the table had is present, the rest found but not written: the report says so, and stops.
        report.found += outcome.results
        report.recovered += outcome.stored
        report.present += outcome.results - outcome.stored - outcome.unstored
        throw new ReconcileStopped(`store: ${outcome.reason}`)
      default:
        throw new ReconcileStopped(`store: ${outcome.kind}`)
    }
  }

  const listPage = (scrollToken?: string): Promise<DescribeTasksResponse> => {
    const page = call('DescribeTasks', () =>
      vod.DescribeTasks({
        Status: 'FINISH',
        FinishTime: { After: report.since, Before: report.until },
        Sort: { Field: 'FinishTime', Order: 'Asc' },
        Limit: 100,
        ...(scrollToken ? { ScrollToken: scrollToken } : {}),
        ...sub,
      }),
    ).catch((error: unknown) => {
      throw new ReconcileStopped(`DescribeTasks: ${vodErrorCode(error) ?? errorMessage(error)}`)
    })
    // Awaited below; a run that stops first must not leave it rejecting unheard.
    page.catch(() => {})
    return page
  }
  try {
    let next: Promise<DescribeTasksResponse> | undefined = listPage()
    while (next) {
      if (deps.deadline !== undefined && Date.now() >= deps.deadline) {
        report.resumeFrom ??= report.since
        return report
      }
      const page: DescribeTasksResponse = await next
      // The next page is asked for while this one is examined: the throttle never idles.
      next = page.ScrollToken ? listPage(page.ScrollToken) : undefined
      const tasks = page.TaskSet ?? []
      report.listed += tasks.length
      // Every task of the page is finished before a stop is reported: none writes afterwards.
      const examined = await Promise.allSettled(tasks.map((task) => limit(() => examine(task))))
      const failed = examined.find((result) => result.status === 'rejected')
      if (failed) throw failed.reason
      const last = tasks.at(-1)?.FinishTime
      if (last) report.resumeFrom = last
      deps.onPage?.(report)
    }
    report.complete = true
    delete report.resumeFrom
  } catch (error) {
    if (error instanceof AbortError || error instanceof ReconcileStopped) {
      report.error = error.message
    } else {
      report.error = errorMessage(error)
    }
    road.metrics.addMetric('ReconcileFailed', 'Count', 1)
    logger.error('reconcile stopped', { reason: report.error })
  }
  return report
}
