import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localClient } from '../../lib/local/local-dynamodb'
import { fixtureText } from '../support/fixtures'
import { itemsOf, type LocalStack, startLocalStack } from '../support/local-stack'
import { itemsOfFile, type RawItem, rawSnapshotItem } from '../support/table-reads'

// The stack `npm start` starts, on ports of its own, sent task flows as VOD sends them.
const TOKEN = 'e2e-procedure-token-0123456789'
const TABLE = 'vod-snapshots-e2e-procedures'
const V3_TASK = '1256768367-Procedure-475b72xxxcb177t1'
const V3_FILE = '5285890784246869930'
const V3_SHOTS = 'https://1256768367.vod2.myqcloud.com/xxx/xxx/snapshot'
const LEGACY_TASK = '251000333-mango-c27bdf65ea06646171e714f25f5aac63'
// A task flow's items are keyed `<TaskId>#<definition>`, even when it has one snapshot subtask.
const V3_KEY = `${V3_TASK}#10`
const LEGACY_KEY = `${LEGACY_TASK}#10`
const LEGACY_SHOTS =
  'http://125xx.vod2.myqcloud.com/42f909a8vodtransgzp251000333/dee2963524820810452267193/snapshot/1502280085_887773835.100_'

let stack: LocalStack

const post = (name: string) =>
  fetch(stack.callbackUrl(), { method: 'POST', body: fixtureText(name) }).then(
    async (response) => ({ status: response.status, body: await response.json() }),
  )
const byTask = (vodTaskId: string) => itemsOf(stack.dynamodbEndpoint, TABLE, vodTaskId)
async function byFile(fileId: string): Promise<RawItem[]> {
  const client = localClient(stack.dynamodbEndpoint)
  try {
    return await itemsOfFile(client, TABLE, fileId)
  } finally {
    client.destroy()
  }
}
const receivedAtOf = (items: RawItem[]) => items[0]?.receivedAt?.S ?? ''

beforeAll(async () => {
  stack = await startLocalStack(TOKEN, TABLE)
}, 90_000)

afterAll(() => stack?.stop())

describe('task flows sent to the local stack', () => {
  it('stores a v3.0 ProcedureStateChanged that reads back exactly, by its key and by fileId', async () => {
    expect(await post('v3-procedure-snapshot')).toStrictEqual({
      status: 200,
      body: { code: 0, stored: 2 },
    })
    const items = await byTask(V3_KEY)
    const receivedAt = receivedAtOf(items)
    expect(Date.now() - Date.parse(receivedAt)).toBeLessThan(60_000)
    const shot = (timeOffset: number, watermarks?: number[]) =>
      rawSnapshotItem(
        {
          vodTaskId: V3_KEY,
          fileId: V3_FILE,
          definition: 10,
          timeOffset,
          status: 0,
          url: `${V3_SHOTS}/10_${timeOffset}.jpg`,
          eventType: 'ProcedureStateChanged',
          procedureTaskId: V3_TASK,
          sessionContext: 'order-4711',
          sessionId: 'dedup-4711',
          ...(watermarks ? { watermarkDefinitions: watermarks } : {}),
        },
        receivedAt,
      )
    const expected = [shot(3500, [1000]), shot(10000.5)]
    expect(items).toStrictEqual(expected)
    expect(await byFile(V3_FILE)).toStrictEqual(expected)
    // Nothing under the bare TaskId: only the `#<definition>` key holds the flow's items.
    expect(await byTask(V3_TASK)).toStrictEqual([])
  })

  it('stores a legacy ProcedureStateChanged that reads back exactly, by its key and by fileId', async () => {
    expect(await post('legacy-procedure-fractional')).toStrictEqual({
      status: 200,
      body: { code: 0, stored: 2 },
    })
    const items = await byTask(LEGACY_KEY)
    const receivedAt = receivedAtOf(items)
    const expected = [300, 400.5].map((timeOffset) =>
      rawSnapshotItem(
        {
          vodTaskId: LEGACY_KEY,
          fileId: '123123123',
          definition: 10,
          timeOffset,
          status: 0,
          url: `${LEGACY_SHOTS}${timeOffset}.jpg`,
          eventType: 'ProcedureStateChanged',
          procedureTaskId: LEGACY_TASK,
        },
        receivedAt,
      ),
    )
    expect(items).toStrictEqual(expected)
    expect(await byFile('123123123')).toStrictEqual(expected)
    // Merged (the legacy results are `partial`), never stored with a `partial` attribute.
    expect(await byTask(LEGACY_TASK)).toStrictEqual([])
  })

  it('acknowledges a task flow without a snapshot subtask', async () => {
    expect(await post('v3-procedure-state-changed')).toStrictEqual({
      status: 200,
      body: { code: 0, ignored: 'ProcedureStateChanged' },
    })
  })
})
