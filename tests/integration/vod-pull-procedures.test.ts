import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSnapshotsTable,
  type LocalDynamoDB,
  localClient,
  startDynalite,
} from '../../lib/local/local-dynamodb'
import { startVodStandIn, type VodStandIn } from '../../lib/local/vod-stand-in'
import { drainVodQueue } from '../../lib/pull/drain'
import { createVodClient } from '../../lib/pull/vod-client'
import { createCallbackHandler } from '../../lib/receive/callback-handler'
import { loadConfig } from '../../lib/runtime/config'
import { VOD_STAND_IN_CREDENTIALS } from '../../lib/runtime/local-defaults'
import type { SnapshotItem } from '../../lib/store/snapshot-item'
import { captureLogger } from '../support/capture-logger'
import { fixture } from '../support/fixtures'
import { callbackEvent, lambdaContext } from '../support/http-event'

const TOKEN = 'pull-token-0123456789'

let dynamodb: LocalDynamoDB
let fake: VodStandIn

beforeAll(async () => {
  dynamodb = await startDynalite()
  fake = await startVodStandIn({ visibilityMs: 10_000 })
})
afterAll(async () => {
  await fake?.close()
  await dynamodb?.close()
})

const documentClient = () => DynamoDBDocumentClient.from(localClient(dynamodb.endpoint))

/** Every item but its receipt time, in key order. */
async function itemsOf(table: string) {
  const items: Omit<SnapshotItem, 'receivedAt'>[] = []
  for await (const page of paginateScan({ client: documentClient() }, { TableName: table })) {
    for (const { receivedAt, ...item } of (page.Items ?? []) as SnapshotItem[]) items.push(item)
  }
  const key = (item: Omit<SnapshotItem, 'receivedAt'>) => `${item.vodTaskId}#${item.timeOffset}`
  return items.sort((a, b) => key(a).localeCompare(key(b)))
}

/** The v3.0 task-flow fixtures; the failure under its own TaskId, so that no key is shared. */
function procedureEvents() {
  const failure = fixture<{ ProcedureStateChangeEvent: { TaskId: string } }>(
    'v3-procedure-snapshot-failure',
  )
  failure.ProcedureStateChangeEvent.TaskId = '1256768367-Procedure-failed'
  return [
    fixture('v3-procedure-snapshot'),
    fixture('v3-procedure-two-templates'),
    fixture('v3-procedure-change-processing'),
    fixture('v3-procedure-change-finish'),
    failure,
    fixture('v3-procedure-state-changed'),
  ]
}

describe('task flows pulled from VOD’s event queue', () => {
  it('store the same items as the same events sent to the HTTP function', async () => {
    const pulledTable = 'pulled-procedures'
    const sentTable = 'sent-procedures'
    await createSnapshotsTable(dynamodb.endpoint, pulledTable)
    await createSnapshotsTable(dynamodb.endpoint, sentTable)
    fake.enqueue(...procedureEvents())

    const report = await drainVodQueue({
      vod: createVodClient({
        credentials: VOD_STAND_IN_CREDENTIALS,
        region: 'ap-guangzhou',
        endpoint: fake.endpoint,
        timeoutSeconds: 1,
      }),
      store: { client: localClient(dynamodb.endpoint), tableName: pulledTable },
      logger: captureLogger(),
      deadline: Date.now() + 20_000,
      budget: { runwayMs: 0, storeMs: 2000 },
    })
    const handler = createCallbackHandler({
      config: loadConfig({ TABLE_NAME: sentTable, CALLBACK_TOKEN: TOKEN }),
      client: localClient(dynamodb.endpoint),
      logger: captureLogger(),
    })
    const answers = []
    for (const body of procedureEvents()) {
      const answer = await handler(
        callbackEvent(JSON.stringify(body), { token: TOKEN }),
        lambdaContext(),
      )
      answers.push(answer.statusCode)
    }

    // The flow without a snapshot subtask has no bus to go to here: it stays in VOD's queue.
    expect(report).toStrictEqual({
      ...{ pulls: 2, pulled: 6, storedEvents: 5, storedResults: 14, ignored: 0, invalid: 0 },
      ...{ confirmed: 5, unconfirmed: 1, unpassed: 1, unkept: 0, stop: 'empty' },
    })
    expect(answers).toStrictEqual([200, 200, 200, 200, 200, 200])
    const pulled = await itemsOf(pulledTable)
    expect(pulled).toHaveLength(8)
    expect(pulled.map((item) => item.timeOffset)).toContain(10000.5)
    expect(pulled).toStrictEqual(await itemsOf(sentTable))
  })
})
