/**
 * How fast reconcile gets through VOD's task API when VOD answers as it does: the local stand-in
 * with 20 ms per call and its published 100 requests a second per action enforced
 * (RequestLimitExceeded beyond), 2,000 finished tasks of which 1,000 hold screenshots (two
 * each) and 1,000 are task flows that only transcoded (their detail is read too: one call per
 * task), and an in-process DynamoDB. Wall time of one run, the stand-in's refusals, peak RSS.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createSnapshotsTable, localClient, startDynalite } from '../lib/local/local-dynamodb'
import { startVodStandIn } from '../lib/local/vod-stand-in'
import type { VodStandInTask } from '../lib/local/vod-stand-in-tasks'
import { reconcile } from '../lib/reconcile/reconcile'
import { createVodTaskApi } from '../lib/reconcile/vod-tasks'
import { VOD_STAND_IN_CREDENTIALS } from '../lib/runtime/local-defaults'
import { noMetrics, quietLogger } from '../lib/runtime/log'
import { vodTime } from '../lib/runtime/vod-time'

export const RECONCILE_TASKS = 2000
const LATENCY_MS = 20
const TABLE = 'vod-snapshots-bench-reconcile'

export interface ReconcileFigures {
  tasksPerSecond: number
  seconds: number
  /** RequestLimitExceeded answers the stand-in gave: each was retried. */
  rateLimited: number
  /** 1 when the run ended on an error (a refusal not overcome): must be 0. */
  unfinished: number
  recovered: number
  /**
   * The process's peak RSS, stand-in and DynamoDB included. {@link measureReconcileApart} runs
   * it in a process of its own: in the bench's, earlier phases would set the peak.
   */
  peakRssMb: number
}

function tasks(now: number): VodStandInTask[] {
  return Array.from({ length: RECONCILE_TASKS }, (_, i): VodStandInTask => {
    const finished = now - 50 * 60_000 + i * 1000
    const base = {
      TaskId: `1256768367-bench-${i}`,
      Status: 'FINISH' as const,
      FileId: '5285485487985271487',
      CreateTime: vodTime(finished - 60_000),
      FinishTime: vodTime(finished),
    }
    // A task flow that only transcoded: its detail must be read to know it holds no screenshot.
    if (i % 2 === 1) {
      return {
        ...base,
        TaskType: 'Procedure',
        ProcedureTask: {
          TaskId: base.TaskId,
          Status: 'FINISH',
          ErrCode: 0,
          Message: 'SUCCESS',
          FileId: base.FileId,
          MediaProcessResultSet: [{ Type: 'Transcode', TranscodeTask: { Status: 'SUCCESS' } }],
        } as never,
      }
    }
    return {
      ...base,
      TaskType: 'SnapshotByTimeOffset',
      SnapshotByTimeOffsetTask: {
        TaskId: base.TaskId,
        FileId: base.FileId,
        Definition: 10,
        SnapshotInfoSet: [
          { TimeOffset: 1000, Url: `https://example.vod2.myqcloud.com/${i}/1.jpg`, ErrCode: 0 },
          { TimeOffset: 2000, Url: `https://example.vod2.myqcloud.com/${i}/2.jpg`, ErrCode: 0 },
        ],
      } as never,
    }
  })
}

async function measureReconcile(): Promise<ReconcileFigures> {
  const now = Date.now()
  const vod = await startVodStandIn({ latencyMs: LATENCY_MS, rateLimitPerSecond: 100 })
  const dynamodb = await startDynalite(0)
  const client = localClient(dynamodb.endpoint)
  try {
    await createSnapshotsTable(dynamodb.endpoint, TABLE)
    for (const task of tasks(now)) vod.addTask(task)
    const api = createVodTaskApi({
      credentials: VOD_STAND_IN_CREDENTIALS,
      region: 'ap-guangzhou',
      endpoint: vod.endpoint,
    })
    const started = performance.now()
    const report = await reconcile(
      { since: new Date(now - 3_600_000), until: new Date(now + 3_600_000) },
      { vod: api, road: { tableName: TABLE, client, logger: quietLogger, metrics: noMetrics } },
    )
    const seconds = (performance.now() - started) / 1000
    if (report.listed !== RECONCILE_TASKS) {
      throw new Error(`reconcile listed ${report.listed} of ${RECONCILE_TASKS} tasks`)
    }
    return {
      tasksPerSecond: RECONCILE_TASKS / seconds,
      seconds,
      rateLimited: vod.calls.filter((call) => call.error === 'RequestLimitExceeded').length,
      unfinished: report.complete ? 0 : 1,
      recovered: report.recovered,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }
  } finally {
    client.destroy()
    await dynamodb.close()
    await vod.close()
  }
}

/** {@link measureReconcile} in a fresh process (this file run with tsx), its figures as JSON. */
export async function measureReconcileApart(): Promise<ReconcileFigures> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url)],
    { maxBuffer: 1024 * 1024 },
  )
  return JSON.parse(stdout) as ReconcileFigures
}

if (import.meta.main) console.log(JSON.stringify(await measureReconcile()))
