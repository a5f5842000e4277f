import { describe, expect, it } from 'vitest'
import {
  createReconcileHandler,
  loadReconcileWindow,
  type ReconcileCheckpoint,
} from '../../lib/reconcile/scheduled-reconcile'
import type { VodTaskApi } from '../../lib/reconcile/vod-tasks'
import { ConfigError } from '../../lib/runtime/config'
import { quietLogger } from '../../lib/runtime/log'
import { captureMetrics } from '../support/capture-logger'

const NOW = new Date('2026-12-04T12:00:00Z')

/** A task API with no finished task, recording the windows it was asked for. */
function emptyVod(asked: unknown[]): VodTaskApi {
  return {
    DescribeTasks: async (request) => {
      asked.push(request.FinishTime)
      return { TaskSet: [], ScrollToken: '', TotalCount: 0, RequestId: 'r' } as never
    },
    DescribeTaskDetail: async () => {
      throw new Error('not asked')
    },
  }
}

function memoryCheckpoint(start?: string): ReconcileCheckpoint & { value?: string } {
  const checkpoint = {
    value: start,
    read: async () => checkpoint.value,
    write: async (resumeFrom: string) => {
      checkpoint.value = resumeFrom
    },
  }
  return checkpoint
}

const handlerWith = (checkpoint: ReconcileCheckpoint, asked: unknown[]) =>
  createReconcileHandler({
    vod: async () => emptyVod(asked),
    road: { tableName: 't', client: {} as never, logger: quietLogger, metrics: captureMetrics() },
    checkpoint,
    windowMs: 60 * 60_000,
    lagMs: 10 * 60_000,
    now: () => NOW,
  })

describe('the scheduled reconcile', () => {
  it('reconciles the last hour less the lag and records where the next run may start', async () => {
    const asked: unknown[] = []
    const checkpoint = memoryCheckpoint()
    const report = await handlerWith(checkpoint, asked)(
      {},
      { getRemainingTimeInMillis: () => 300_000 },
    )
    expect(asked).toEqual([{ After: '2026-12-04T10:50:00Z', Before: '2026-12-04T11:50:00Z' }])
    expect(report.complete).toBe(true)
    expect(checkpoint.value).toBe('2026-12-04T11:50:00Z')
  })

  it('goes on from where an earlier run stopped, never past VOD’s 72 hours', async () => {
    const asked: unknown[] = []
    await handlerWith(memoryCheckpoint('2026-12-04T08:00:00Z'), asked)({})
    await handlerWith(memoryCheckpoint('2026-11-20T08:00:00Z'), asked)({})
    expect(asked).toEqual([
      { After: '2026-12-04T08:00:00Z', Before: '2026-12-04T11:50:00Z' },
      { After: '2026-12-01T13:00:00Z', Before: '2026-12-04T11:50:00Z' },
    ])
  })

  it('reads its window settings and refuses what is not a number of minutes', () => {
    expect(loadReconcileWindow({})).toEqual({ windowMs: 3_600_000, lagMs: 600_000 })
    expect(loadReconcileWindow({ RECONCILE_WINDOW_MINUTES: '120' }).windowMs).toBe(7_200_000)
    expect(() => loadReconcileWindow({ RECONCILE_LAG_MINUTES: 'soon' })).toThrow(ConfigError)
  })
})
