import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { ScheduledEvent } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { lazyVodClient } from '../../lib/pull/pull-config'
import type { VodEventQueue } from '../../lib/pull/vod-client'
import { captureLogger } from '../support/capture-logger'
import { lambdaContext } from '../support/http-event'
import { snapshotEvent } from '../support/vod-events'

const ENV = {
  TABLE_NAME: 'vod-snapshots-unit',
  VOD_REGION: 'ap-guangzhou',
  TENCENT_SECRET_PARAMETER: '/vod-snapshots/unit/tencent-api-key',
}
const NOW = Date.parse('2026-11-24T03:00:00.000Z')
const ddb = mockClient(DynamoDBClient)
const scheduled = { 'detail-type': 'Scheduled Event' } as ScheduledEvent

async function loadDrainModule() {
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value)
  vi.resetModules()
  return import('../../lib/pull/scheduled-drain')
}

beforeEach(() => {
  ddb.reset()
  ddb.on(BatchWriteItemCommand).resolves({})
})
afterEach(() => {
  vi.unstubAllEnvs()
  vi.resetModules()
})

describe('the scheduled pull function', () => {
  it('drains until the invocation’s time less a margin, and returns the report', async () => {
    const { createPullHandler, DEADLINE_MARGIN_MS } = await loadDrainModule()
    const pulls: number[] = []
    let clock = NOW
    const vod: VodEventQueue = {
      async PullEvents() {
        pulls.push(clock)
        clock += 10_000
        return { EventSet: [{ EventHandle: `h${pulls.length}`, ...snapshotEvent('t', [0]) }] }
      },
      ConfirmEvents: async () => ({}),
    }
    const logger = captureLogger()
    const handler = createPullHandler({
      vod: async () => vod,
      store: { client: new DynamoDBClient({}), tableName: 'table' },
      logger,
      now: () => clock,
    })
    const context = { ...lambdaContext(), getRemainingTimeInMillis: () => 55_000 }

    const report = await handler(scheduled, context)

    // The deadline is 55 s - 3 s; a pull needs 20 s of runway: at 30 s yes, at 40 s no.
    expect(DEADLINE_MARGIN_MS).toBe(3000)
    expect(pulls.map((at) => at - NOW)).toStrictEqual([0, 10_000, 20_000, 30_000])
    expect(report).toMatchObject({ pulled: 4, confirmed: 4, stop: 'deadline' })
    expect(logger.lines.at(-1)).toStrictEqual({
      level: 'INFO',
      message: 'vod drain finished',
      fields: { ...report },
    })
  })

  it('fails the invocation after logging its report when the drain left events to VOD', async () => {
    const { createPullHandler } = await loadDrainModule()
    const error = Object.assign(new Error('internal'), { code: 'InternalError' })
    const vod: VodEventQueue = {
      PullEvents: async () => Promise.reject(error),
      ConfirmEvents: async () => ({}),
    }
    const logger = captureLogger()
    const client = new DynamoDBClient({})
    const handler = createPullHandler({
      vod: async () => vod,
      store: { client, tableName: 't' },
      logger,
    })

    const context = { ...lambdaContext(), getRemainingTimeInMillis: () => 55_000 }
    await expect(handler(scheduled, context)).rejects.toMatchObject({
      name: 'VodPullError',
      message: 'drain stopped (vod-error), 0 unconfirmed',
    })
    expect(logger.lines.map((line) => line.message)).toStrictEqual([
      'vod pull failed',
      'vod drain finished',
    ])
  })

  it('builds the VOD client once per container, and again only after a failed build', async () => {
    const client = {} as VodEventQueue
    const build = vi
      .fn<() => Promise<VodEventQueue>>()
      .mockRejectedValueOnce(new Error('ParameterNotFound'))
      .mockResolvedValue(client)
    const vod = lazyVodClient(build)

    await expect(vod()).rejects.toThrow('ParameterNotFound')
    expect(await vod()).toBe(client)
    expect(await vod()).toBe(client)
    expect(build).toHaveBeenCalledTimes(2)
  })

  it('refuses to start without its configuration', async () => {
    vi.stubEnv('VOD_REGION', undefined)
    vi.stubEnv('TENCENT_SECRET_PARAMETER', undefined)
    vi.resetModules()
    await expect(import('../../handlers/pull')).rejects.toMatchObject({
      name: 'ConfigError',
      message:
        'Invalid configuration: VOD_REGION: is required; TENCENT_SECRET_PARAMETER: is required',
    })
  })
})
