import { randomUUID } from 'node:crypto'
import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb'
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseFallbackMessage, toFallbackMessages } from '../../lib/durability/fallback-message'
import { createRedriveHandler } from '../../lib/durability/redrive'
import { replay } from '../../lib/durability/replay'
import { parseCallback } from '../../lib/events/parse-callback'
import * as local from '../../lib/local/local-dynamodb'
import { collapseDuplicateResults, toSnapshotItem } from '../../lib/store/snapshot-item'
import { storeSnapshotResults } from '../../lib/store/snapshot-store'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import { fixture } from '../support/fixtures'
import { lambdaContext } from '../support/http-event'
import { emptyTable, type RawItem } from '../support/table-reads'

const RECEIVED_AT = '2026-11-24T03:00:00.000Z'

let db: local.LocalDynamoDB
let raw: DynamoDBClient
let table: string

beforeAll(async () => {
  db = await local.startDynalite()
  raw = local.localClient(db.endpoint)
})

afterAll(async () => {
  raw.destroy()
  await db.close()
})

beforeEach(async () => {
  table = `durability-${randomUUID()}`
  await local.createSnapshotsTable(db.endpoint, table)
})

/** Every item, in a stable order, then the table emptied for the next road. */
async function takeItems(): Promise<RawItem[]> {
  const items: RawItem[] = []
  for await (const page of paginateScan({ client: raw }, { TableName: table })) {
    items.push(...(page.Items ?? []))
  }
  await emptyTable(raw, table)
  const key = (item: RawItem) => `${item.vodTaskId?.S}#${item.timeOffset?.N}`
  return items.sort((a, b) => key(a).localeCompare(key(b)))
}

const sqsRecord = (body: string, i: number) =>
  ({
    messageId: `m${i}`,
    body,
    attributes: { ApproximateReceiveCount: '1' },
  }) as unknown as SQSRecord

describe('a task flow taken by the redrive or a replay', () => {
  it.each([
    ['v3-procedure-snapshot', 2],
    ['v3-procedure-two-templates', 4],
    ['v3-procedure-snapshot-failure', 2],
    ['legacy-procedure-fractional', 2],
  ])('%s gives the same items as when stored at once', async (name, count) => {
    const body = fixture(name)
    const parsed = parseCallback(body)
    if (parsed.kind !== 'snapshots') throw new Error(`${name} has no results`)

    await storeSnapshotResults(raw, table, parsed.results, RECEIVED_AT)
    const stored = await takeItems()

    // What a SnapshotStoreError carries, queued as the callback function queues it.
    const unstored = collapseDuplicateResults(parsed.results).map((r) =>
      toSnapshotItem(r, RECEIVED_AT),
    )
    const messages = toFallbackMessages(unstored).map((message) => JSON.stringify(message))
    const redrive = createRedriveHandler({
      tableName: table,
      client: raw,
      logger: captureLogger(),
      metrics: captureMetrics(),
    })
    const answer = await redrive(
      { Records: messages.map(sqsRecord) } satisfies SQSEvent,
      lambdaContext(),
    )
    const redriven = await takeItems()

    await replay(raw, table, { kind: 'callback', body, receivedAt: RECEIVED_AT, source: name })
    const replayedBody = await takeItems()
    for (const text of messages) {
      await replay(raw, table, {
        kind: 'results',
        message: parseFallbackMessage(text),
        source: name,
      })
    }
    const replayedMessages = await takeItems()

    expect(stored).toHaveLength(count)
    expect(answer).toStrictEqual({ batchItemFailures: [] })
    expect(redriven).toStrictEqual(stored)
    expect(replayedBody).toStrictEqual(stored)
    expect(replayedMessages).toStrictEqual(stored)
  })
})
