import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localSqsClient } from '../../lib/local/local-queues'
import { readQueueDefinitions } from '../../lib/local/queue-definitions'
import { legacyCallbackWith } from '../support/fixtures'
import {
  countItems,
  itemsOf,
  type LocalStack,
  setDynamoDBFailing,
  startLocalStack,
} from '../support/local-stack'
import { runScript } from '../support/run-script'
import { rawSnapshotItem } from '../support/table-reads'

// The stack `npm start` starts, with the fault switch only tests turn on: production's fallback
// path (DynamoDB fails, the fallback queue, the redrive, the dead-letter queue) over HTTP.
const TOKEN = 'e2e-fallback-token-0123456789'
const TABLE = 'vod-snapshots-e2e-fallback'

let stack: LocalStack
const queueUrls = { fallback: '', deadLetter: '' }

type Callback = Omit<ReturnType<typeof legacyCallbackWith>, 'data'> & {
  data: Omit<ReturnType<typeof legacyCallbackWith>['data'], 'picInfo'> & {
    picInfo: { status: number; timeOffset: number; url?: string }[]
  }
}

/** A callback of `count` results, the last one a failed screenshot without URL. */
function callbackOf(vodTaskId: string, count: number): Callback {
  const callback: Callback = legacyCallbackWith(count, vodTaskId)
  callback.data.picInfo[count - 1] = { status: -46204, timeOffset: (count - 1) * 1000 }
  return callback
}

const post = (callback: Callback) =>
  fetch(stack.callbackUrl(), { method: 'POST', body: JSON.stringify(callback) }).then(
    async (response) => ({ status: response.status, body: await response.json() }),
  )

/** The items a callback must leave in the table, with the receipt time it was stored with. */
async function expectStored(callback: Callback, receivedBefore: number) {
  const { vodTaskId, fileId, definition, picInfo } = callback.data
  const items = await itemsOf(stack.dynamodbEndpoint, TABLE, vodTaskId)
  const receivedAt = items[0]?.receivedAt?.S ?? ''
  // The time the callback arrived, not the time the redrive wrote it.
  expect(Date.parse(receivedAt)).toBeLessThan(receivedBefore)
  expect(items).toStrictEqual(
    picInfo.map((result) =>
      rawSnapshotItem({ vodTaskId, fileId, definition, ...result }, receivedAt),
    ),
  )
}

/** Messages in a queue, visible or in flight. */
async function depth(QueueUrl: string): Promise<number> {
  const sqs = localSqsClient(stack.sqsEndpoint)
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  )
  sqs.destroy()
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  )
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

beforeAll(async () => {
  stack = await startLocalStack(TOKEN, TABLE, { faultSwitch: true })
  const sqs = localSqsClient(stack.sqsEndpoint)
  const { fallback, deadLetter } = await readQueueDefinitions('local')
  for (const [key, QueueName] of [
    ['fallback', fallback.name],
    ['deadLetter', deadLetter.name],
  ] as const) {
    queueUrls[key] = (await sqs.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl ?? ''
  }
  sqs.destroy()
}, 90_000)

afterAll(() => stack?.stop())

describe('the fallback path of the local stack', () => {
  it('answers 202 while DynamoDB fails, then the redrive stores every result', async () => {
    const callbacks = [1, 3, 10, 30, 120].map((count) =>
      callbackOf(`CreateSnapshotByTimeOffset-fallback-${count}`, count),
    )
    await setDynamoDBFailing(stack, true)
    const answers = await Promise.all(callbacks.map(post))
    const failedUntil = Date.now()
    await setDynamoDBFailing(stack, false)

    expect(answers).toStrictEqual(
      callbacks.map((callback) => ({
        status: 202,
        body: { code: 0, stored: 0, queued: callback.data.picInfo.length },
      })),
    )
    await waitFor('every result in the table', async () => {
      return (await countItems(stack.dynamodbEndpoint, TABLE)) >= 164
    })
    await waitFor('the fallback queue empty', async () => (await depth(queueUrls.fallback)) === 0)
    expect(await countItems(stack.dynamodbEndpoint, TABLE)).toBe(164)
    for (const callback of callbacks) await expectStored(callback, failedUntil)
    expect(await depth(queueUrls.deadLetter)).toBe(0)
  }, 90_000)

  it('moves a redrive that keeps failing to the dead-letter queue, and replay --dlq --local recovers it', async () => {
    const callback = callbackOf('CreateSnapshotByTimeOffset-dead-letter', 4)
    await setDynamoDBFailing(stack, true)
    expect(await post(callback)).toStrictEqual({
      status: 202,
      body: { code: 0, stored: 0, queued: 4 },
    })
    const failedSince = Date.now()
    await waitFor('the message in the dead-letter queue', async () => {
      return (await depth(queueUrls.deadLetter)) === 1
    })
    expect(await depth(queueUrls.fallback)).toBe(0)
    await setDynamoDBFailing(stack, false)
    expect(await itemsOf(stack.dynamodbEndpoint, TABLE, callback.data.vodTaskId)).toStrictEqual([])

    // As an operator would, from a shell that knows only the variables npm start was given.
    const replay = await runScript('replay', ['--dlq', '--local'], stack.env)

    expect({ code: replay.code, stderr: replay.stderr }).toStrictEqual({ code: 0, stderr: '' })
    expect(replay.stdout).toMatch(
      /\n\[1\] [\w-]+: stored 4\ndone: 1 message\(s\) written and deleted, 0 failed\nleft in the queue: 0 waiting, 0 in flight\n$/,
    )
    await expectStored(callback, failedSince)
    expect(await depth(queueUrls.deadLetter)).toBe(0)
  }, 90_000)
})
