import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { QueryCommand } from '@aws-sdk/client-dynamodb'
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toFallbackMessages, UNSTORED_CALLBACK_MARKER } from '../../lib/durability/fallback-message'
import { freePort } from '../../lib/local/free-port'
import {
  createSnapshotsTable,
  type LocalDynamoDB,
  localClient,
  startDynalite,
} from '../../lib/local/local-dynamodb'
import { type LocalQueues, localSqsClient, startLocalQueues } from '../../lib/local/local-queues'
import { readQueueDefinitions } from '../../lib/local/queue-definitions'
import { REPLAY_USAGE } from '../../lib/operator/replay-cli'
import { toSnapshotItem } from '../../lib/store/snapshot-item'
import { fixture, fixtureText, legacyCallbackWith } from '../support/fixtures'
import { runScript } from '../support/run-script'

const TABLE = 'vod-snapshots-replay'
const RECEIVED_AT = '2026-11-24T03:00:00.000Z'
let dynamodb: LocalDynamoDB
let dir: string

/** Runs `npm run replay` as an operator would, against the local table. */
const replay = (...args: string[]) => replayWith({}, ...args)
// As an operator's shell: no AWS region or credentials, only where the local table is.
const OPERATOR_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
)
// As a shell next to `npm start`: only the variables npm start reads, no endpoint.
const LOCAL_STACK_ENV = {
  ...Object.fromEntries(Object.keys(process.env).map((name) => [name, undefined])),
  PATH: process.env.PATH,
  TABLE_NAME: TABLE,
}
const replayWith = (env: Record<string, string>, ...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', ...args], {
    env: { ...OPERATOR_ENV, TABLE_NAME: TABLE, DYNAMODB_ENDPOINT: dynamodb.endpoint, ...env },
  })

async function offsetsOf(vodTaskId: string): Promise<number[]> {
  const client = localClient(dynamodb.endpoint)
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: 'vodTaskId = :id',
      ExpressionAttributeValues: { ':id': { S: vodTaskId } },
    }),
  )
  client.destroy()
  return Items.map((item) => Number(item.timeOffset?.N))
}

beforeAll(async () => {
  dynamodb = await startDynalite()
  await createSnapshotsTable(dynamodb.endpoint, TABLE)
  dir = await mkdtemp(join(tmpdir(), 'vod-snapshots-replay-'))
})

afterAll(async () => {
  await dynamodb?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('npm run replay -- <file>', () => {
  it('re-ingests marker lines as CloudWatch shows them, raw bodies and messages; skips the rest', async () => {
    const markerLine = JSON.stringify({
      level: 'ERROR',
      message: UNSTORED_CALLBACK_MARKER,
      vodTaskId: 'task-text-format',
      receivedAt: RECEIVED_AT,
      reason: 'throttled',
      body: JSON.stringify(legacyCallbackWith(3, 'task-text-format')),
    })
    const items = Array.from({ length: 4 }, (_, i) =>
      toSnapshotItem(
        { vodTaskId: 'task-from-message', fileId: '1', definition: 10, timeOffset: i, status: 0 },
        RECEIVED_AT,
      ),
    )
    const largeBodyLine = JSON.stringify({
      level: 'ERROR',
      message: UNSTORED_CALLBACK_MARKER,
      fallback: toFallbackMessages(items)[0],
    })
    const lines = [
      `2026-11-24T03:00:00.000Z\t6f1c\tERROR\t${markerLine}`,
      JSON.stringify({ timestamp: RECEIVED_AT, level: 'ERROR', message: largeBodyLine }),
      JSON.stringify(legacyCallbackWith(2, 'task-raw-body')),
      'START RequestId: 6f1c Version: $LATEST',
      '{"level":"INFO","message":"callback stored"}',
    ]
    const file = join(dir, 'unstored.log')
    await writeFile(file, lines.join('\n'))

    const first = await replay(file)
    const second = await replay(file)

    expect(first.stdout).toContain('3 callback(s) or result set(s) found')
    expect(first.stdout).toContain('done: 3 replayed, 0 failed, 0 damaged, 2 skipped')
    expect(second.stdout).toContain('done: 3 replayed, 0 failed, 0 damaged, 2 skipped')
    expect(await offsetsOf('task-text-format')).toStrictEqual([0, 1000, 2000])
    expect(await offsetsOf('task-from-message')).toStrictEqual([0, 1, 2, 3])
    expect(await offsetsOf('task-raw-body')).toStrictEqual([0, 1000])
  })

  it('replays a file holding one pretty-printed callback body', async () => {
    const file = join(dir, 'callback.json')
    await writeFile(file, fixtureText('legacy-snapshot-failure'))
    const { stdout } = await replay(file)
    expect(stdout).toMatch(/\[1\/1\] .*callback\.json: stored 1/)
    const { data } = fixture<{ data: { vodTaskId: string } }>('legacy-snapshot-failure')
    expect(await offsetsOf(data.vodTaskId)).toContain(1000000)
  })

  it('gives replayed items the expiry the deployment gives stored ones', async () => {
    const file = join(dir, 'expiring.json')
    await writeFile(
      file,
      JSON.stringify({
        message: UNSTORED_CALLBACK_MARKER,
        receivedAt: RECEIVED_AT,
        body: JSON.stringify(legacyCallbackWith(1, 'task-expiring')),
      }),
    )
    await replayWith({ RESULT_TTL_DAYS: '30' }, file)

    const client = localClient(dynamodb.endpoint)
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'vodTaskId = :id',
        ExpressionAttributeValues: { ':id': { S: 'task-expiring' } },
      }),
    )
    client.destroy()
    expect(Items.map((item) => item.expiresAt)).toStrictEqual([
      { N: String(Date.parse(RECEIVED_AT) / 1000 + 30 * 86_400) },
    ])
  })

  it('exits 2 with its usage when given nothing to replay', async () => {
    await expect(replay()).rejects.toMatchObject({
      code: 2,
      stdout: '',
      stderr: `give the file to replay, or --dlq\n\n${REPLAY_USAGE}\n`,
    })
  })

  it('prints its usage on --help and exits 0', async () => {
    expect(await runScript('replay', ['--help'])).toStrictEqual({
      code: 0,
      stdout: `${REPLAY_USAGE}\n`,
      stderr: '',
    })
  })

  it('says in one line that a file does not exist, and exits 1', async () => {
    const missing = join(dir, 'no-such-file.log')
    expect(await runScript('replay', [missing])).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `Could not read ${missing}: ENOENT: no such file or directory, open '${missing}'\n`,
    })
  })

  /** Runs `npm run replay` against the local table, as a shell next to `npm start` would. */
  const replayLocal = (...args: string[]) =>
    runScript('replay', args, { ...LOCAL_STACK_ENV, DYNAMODB_ENDPOINT: dynamodb.endpoint })

  it('names damaged marker lines by number without quoting them, counts the rest, and exits 1', async () => {
    const good = JSON.stringify({
      level: 'ERROR',
      message: UNSTORED_CALLBACK_MARKER,
      receivedAt: RECEIVED_AT,
      body: JSON.stringify(legacyCallbackWith(1, 'task-beside-damage')),
    })
    const lines = [
      `2026-11-24T03:00:00.000Z\t6f1c\tERROR\t${good}`,
      // Cut by an export, with a terminal escape sequence in what is left of it.
      `2026-11-24T03:00:01.000Z\t6f1c\tERROR\t{"message":"${UNSTORED_CALLBACK_MARKER}","body":"\u001b]0;owned\u0007{\\"eventT`,
      '',
      'START RequestId: 6f1c Version: $LATEST',
      JSON.stringify({ message: UNSTORED_CALLBACK_MARKER, body: '{"eventType":"Create' }),
    ]
    const file = join(dir, 'damaged.log')
    await writeFile(file, `${lines.join('\n')}\n`)

    expect(await replayLocal(file)).toStrictEqual({
      code: 1,
      stdout: [
        `1 callback(s) or result set(s) found in ${file}; table ${TABLE}`,
        `[1/1] ${file}:1: stored 1`,
        'done: 1 replayed, 0 failed, 2 damaged, 2 skipped',
        '',
      ].join('\n'),
      stderr: [
        `${file}:2: a marker line whose JSON is damaged`,
        `${file}:5: a marker line whose body is not JSON`,
        '',
      ].join('\n'),
    })
    expect(await offsetsOf('task-beside-damage')).toStrictEqual([0])
  })

  it('prints a file name with control and bidi characters escaped, Chinese as it is', async () => {
    // Clear the screen, set the window title, the 8-bit CSI, a right-to-left override. (A file
    // name is bytes and holds no lone surrogate: tests/unit/replay-cli.test.ts has that one.)
    const file = join(dir, '截图\u001b[2J\u001b]0;owned\u0007\u009b\u202e.log')
    const shown = join(dir, '截图\\u001b[2J\\u001b]0;owned\\u0007\\u009b\\u202e.log')
    const lines = [
      JSON.stringify(legacyCallbackWith(1, 'task-escaped-name')),
      JSON.stringify({ message: UNSTORED_CALLBACK_MARKER, body: '{"eventType":"Create' }),
    ]
    await writeFile(file, `${lines.join('\n')}\n`)

    const run = await replayLocal(file)
    for (const char of ['\u001b', '\u0007', '\u009b', '\u202e']) {
      expect(run.stdout).not.toContain(char)
      expect(run.stderr).not.toContain(char)
    }
    expect(run).toStrictEqual({
      code: 1,
      stdout: [
        `1 callback(s) or result set(s) found in ${shown}; table ${TABLE}`,
        `[1/1] ${shown}:1: stored 1`,
        'done: 1 replayed, 0 failed, 1 damaged, 0 skipped',
        '',
      ].join('\n'),
      stderr: `${shown}:2: a marker line whose body is not JSON\n`,
    })
  })

  it('says that a file holds nothing to replay, and exits 1', async () => {
    const file = join(dir, 'nothing.log')
    await writeFile(
      file,
      'START RequestId: 6f1c\n\n{"level":"INFO","message":"callback stored"}\nEND RequestId: 6f1c\n',
    )
    expect(await replayLocal(file)).toStrictEqual({
      code: 1,
      stdout: [
        `0 callback(s) or result set(s) found in ${file}; table ${TABLE}`,
        'done: 0 replayed, 0 failed, 0 damaged, 4 skipped',
        '',
      ].join('\n'),
      stderr: `Nothing to replay in ${file}: no marker line, callback body or fallback message that can be used\n`,
    })
  })

  it('names a missing table and where it looked in one line, and exits 1', async () => {
    const file = join(dir, 'no-table.log')
    const body = (task: string) => JSON.stringify(legacyCallbackWith(1, task))
    await writeFile(file, `${body('task-no-table-1')}\n${body('task-no-table-2')}\n`)
    expect(await replayLocal(file, '--table', 'vod-snapshots-missing')).toStrictEqual({
      code: 1,
      stdout: `2 callback(s) or result set(s) found in ${file}; table vod-snapshots-missing\n`,
      stderr: `Table "vod-snapshots-missing" not found at ${dynamodb.endpoint}. Set TABLE_NAME or --table to its name.\n`,
    })
  })

  it('puts logged events back only on the local stack with --local: FORWARD_URL, never AWS', async () => {
    // Found outside: --local put them on AWS's EventBridge, as the SDK found it.
    const file = join(dir, 'events.log')
    await writeFile(
      file,
      `${JSON.stringify({
        level: 'ERROR',
        message: UNSTORED_CALLBACK_MARKER,
        reason: 'event not published',
        id: 'event-1',
        event: { Source: 'vod-snapshots', DetailType: 'FileDeleted' },
        part: 1,
        parts: 1,
        detailPart: '{"EventType":"FileDeleted"}',
      })}\n`,
    )
    const received: string[] = []
    const receiver = createServer(async (request, response) => {
      let body = ''
      for await (const chunk of request) body += chunk
      received.push(body)
      response.writeHead(200).end()
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
    const local = { ...LOCAL_STACK_ENV, DYNAMODB_PORT: String(dynamodb.port) }
    try {
      const nowhere = await runScript('replay', [file, '--local'], { ...local, FORWARD_URL: '' })
      expect(nowhere.code).toBe(1)
      expect(nowhere.stderr).toContain(
        'events: FAILED the local stack has no bus: set FORWARD_URL to deliver them to its receiver',
      )

      // A piece cut by a careless export: named by its line, never quoted, and exit 1.
      const damaged = join(dir, 'events-damaged.log')
      await writeFile(
        damaged,
        `noise\n${(await readFile(file, 'utf8')).replace('"part":1', '"part":"x"')}`,
      )
      const named = await runScript('replay', [damaged, '--local'], { ...local, FORWARD_URL: url })
      expect(named.code).toBe(1)
      expect(named.stderr).toContain(`${damaged}:2: an event piece that cannot be read`)
      expect(received).toStrictEqual([])

      const delivered = await runScript('replay', [file, '--local'], { ...local, FORWARD_URL: url })
      expect({ code: delivered.code, stderr: delivered.stderr }).toStrictEqual({
        code: 0,
        stderr: '',
      })
      expect(delivered.stdout).toContain('1 event(s) put on the bus again')
      expect(received).toStrictEqual(['{"EventType":"FileDeleted"}'])
    } finally {
      await new Promise((resolve) => receiver.close(resolve))
    }
  })

  it("replays into the local stack's table with --local", async () => {
    const file = join(dir, 'local.json')
    await writeFile(file, JSON.stringify(legacyCallbackWith(2, 'task-local')))
    const { code, stderr } = await runScript('replay', [file, '--local'], {
      ...LOCAL_STACK_ENV,
      DYNAMODB_PORT: String(dynamodb.port),
    })
    expect({ code, stderr }).toStrictEqual({ code: 0, stderr: '' })
    expect(await offsetsOf('task-local')).toStrictEqual([0, 1000])
  })
})

describe('npm run replay -- --dlq --local', () => {
  let queues: LocalQueues
  let sqs: SQSClient

  beforeAll(async () => {
    queues = await startLocalQueues(await readQueueDefinitions('local'))
    sqs = localSqsClient(queues.endpoint)
  })

  afterAll(async () => {
    sqs?.destroy()
    await queues?.close()
  })

  const drainLocal = () =>
    runScript('replay', ['--dlq', '--local'], {
      ...LOCAL_STACK_ENV,
      DYNAMODB_PORT: String(dynamodb.port),
      SQS_PORT: String(queues.port),
    })

  it("drains the local stack's dead-letter queue into its table, and empties it", async () => {
    const items = [0, 500].map((timeOffset) =>
      toSnapshotItem(
        { vodTaskId: 'task-dlq', fileId: '7', definition: 10, timeOffset, status: 0 },
        RECEIVED_AT,
      ),
    )
    const [message] = toFallbackMessages(items)
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.deadLetterQueueUrl,
        MessageBody: JSON.stringify(message),
      }),
    )

    const { code, stdout, stderr } = await drainLocal()

    expect({ code, stderr }).toStrictEqual({ code: 0, stderr: '' })
    expect(stdout).toBe(
      [
        `draining ${queues.deadLetterQueueUrl} into table ${TABLE}`,
        `[1] ${sent.MessageId}: stored 2`,
        'done: 1 message(s) written and deleted, 0 failed',
        'left in the queue: 0 waiting, 0 in flight',
        '',
      ].join('\n'),
    )
    expect(await offsetsOf('task-dlq')).toStrictEqual([0, 500])
    expect((await drainLocal()).stdout).toContain('done: 0 message(s) written and deleted')
  })

  /** A queue of its own on the local SQS, so that what a test leaves in flight stays there. */
  const queueOf = async (name: string) => {
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }))
    return QueueUrl
  }
  const depthOf = async (QueueUrl: string) =>
    (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      )
    ).Attributes
  const drainQueue = (url: string, ...args: string[]) =>
    runScript('replay', ['--dlq', '--local', '--queue-url', url, ...args], {
      ...LOCAL_STACK_ENV,
      DYNAMODB_PORT: String(dynamodb.port),
      SQS_PORT: String(queues.port),
    })

  it('counts a failed message as in flight, not gone, and exits 1 until it is back', async () => {
    const url = await queueOf('vod-snapshots-replay-in-flight')
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'not\r\njson' }),
    )
    const inFlight =
      'left in the queue: 0 waiting, 1 in flight (they come back within 2 minutes, when their visibility timeout ends: run it again then)'

    const failed = await drainQueue(url)
    const rightAfter = await drainQueue(url)

    expect(failed).toStrictEqual({
      code: 1,
      stdout: [
        `draining ${url} into table ${TABLE}`,
        // What the queue held is quoted with its line breaks escaped.
        `[1] ${sent.MessageId}: FAILED Unexpected token 'o', "not\\u000d\\u000ajson" is not valid JSON`,
        'done: 0 message(s) written and deleted, 1 failed',
        inFlight,
        '',
      ].join('\n'),
      stderr: '',
    })
    expect(rightAfter).toStrictEqual({
      code: 1,
      stdout: [
        `draining ${url} into table ${TABLE}`,
        'done: 0 message(s) written and deleted, 0 failed',
        inFlight,
        '',
      ].join('\n'),
      stderr: '',
    })
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }))
  })

  it('names a missing table in one line, exits 1, and leaves the message visible', async () => {
    const url = await queueOf('vod-snapshots-replay-no-table')
    const [message] = toFallbackMessages([
      toSnapshotItem(
        { vodTaskId: 'task-dlq-no-table', fileId: '7', definition: 10, timeOffset: 0, status: 0 },
        RECEIVED_AT,
      ),
    ])
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(message) }))

    expect(await drainQueue(url, '--table', 'vod-snapshots-missing')).toStrictEqual({
      code: 1,
      stdout: `draining ${url} into table vod-snapshots-missing\n`,
      stderr: `Table "vod-snapshots-missing" not found at http://127.0.0.1:${dynamodb.port}. Set TABLE_NAME or --table to its name.\n`,
    })
    expect(await depthOf(url)).toStrictEqual({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
    })
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }))
  })

  it('says in one line that no local stack answers, and exits 1', async () => {
    const port = await freePort()
    const { code, stdout, stderr } = await runScript('replay', ['--dlq', '--local'], {
      ...LOCAL_STACK_ENV,
      SQS_PORT: String(port),
    })
    expect({ code, stdout }).toStrictEqual({ code: 1, stdout: '' })
    expect(stderr).toMatch(
      new RegExp(
        `^Could not drain the local stack's SQS at http://127.0.0.1:${port}: .*ECONNREFUSED.*\\n$`,
      ),
    )
  })
})
