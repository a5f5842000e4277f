import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { QuarantinedCallback } from '../../lib/durability/quarantine'
import { replayQuarantined } from '../../lib/durability/quarantine-replay'
import { s3Quarantine } from '../../lib/durability/s3-quarantine'
import { parseCallback } from '../../lib/events/parse-callback'
import type { Forwarder } from '../../lib/forward/forwarder'
import * as local from '../../lib/local/local-dynamodb'
import { queryByTask } from '../../lib/operator/snapshot-query'
import { MAX_READ_BODY_BYTES } from '../../lib/receive/answer-callback'
import { noMetrics, quietLogger } from '../../lib/runtime/log'
import { legacyCallbackWith } from '../support/fixtures'
import { startLocalS3 } from '../support/local-s3'
import { runScript, type ScriptRun } from '../support/run-script'

const OVER_READ_LIMIT = JSON.stringify({ padding: 'x'.repeat(MAX_READ_BODY_BYTES) })
const BUCKET = 'vod-snapshots-quarantine-test'
const TABLE = 'vod-snapshots-quarantine'
const TASK = 'CreateSnapshotByTimeOffset-quarantined'
const RECEIVED_AT = '2026-11-24T03:00:00.000Z'
const FILE = '14508071098244929440'

let s3: Awaited<ReturnType<typeof startLocalS3>>
let db: local.LocalDynamoDB
let raw: DynamoDBClient
let doc: DynamoDBDocumentClient

/** A callback of `count` results whose last one has a negative offset: rejected today. */
function invalidCallback(count: number) {
  const body = legacyCallbackWith(count, TASK)
  const last = body.data.picInfo[count - 1]
  if (last) last.timeOffset = -1
  return body
}

const entry = (id: string, body: unknown): QuarantinedCallback => ({
  kind: 'vod-snapshots/quarantined-callback',
  id,
  receivedAt: RECEIVED_AT,
  requestId: id,
  statusCode: 422,
  problems: ['data.picInfo.2.timeOffset: the time offset must not be negative'],
  eventType: 'CreateSnapshotByTimeOffsetComplete',
  body: JSON.stringify(body),
  bodyEncoding: 'utf8',
})

/** Today's parser after a fix that drops results with a negative offset. */
const fixedParser = (body: unknown) => {
  const copy = structuredClone(body) as ReturnType<typeof invalidCallback>
  copy.data.picInfo = copy.data.picInfo.filter((pic) => pic.timeOffset >= 0)
  return parseCallback(copy)
}

const env = () => ({
  QUARANTINE_BUCKET: BUCKET,
  S3_ENDPOINT: s3.endpoint,
  TABLE_NAME: TABLE,
  DYNAMODB_ENDPOINT: db.endpoint,
})

beforeAll(async () => {
  s3 = await startLocalS3(BUCKET)
  db = await local.startDynalite()
  await local.createSnapshotsTable(db.endpoint, TABLE)
  raw = local.localClient(db.endpoint)
  doc = DynamoDBDocumentClient.from(raw)
})

afterAll(async () => {
  doc?.destroy()
  await db?.close()
  await s3?.close()
})

describe('the S3 quarantine on a local S3 (fauxqs)', () => {
  // Read when a test runs: the client is made in beforeAll.
  const road = () => ({ tableName: TABLE, client: raw, logger: quietLogger, metrics: noMetrics })
  /** A forwarder whose bus takes events with `publish`. */
  const forwardingTo = (publish: Forwarder['publish']) => ({
    forwarder: { publish } as Forwarder,
    forwardAll: false,
  })

  it('keeps a 1 MB body whole, lists it and gives it back byte for byte', async () => {
    const quarantine = s3Quarantine(s3.client, BUCKET)
    const body = invalidCallback(8200)
    const kept = entry('20261124T030000000Z-big', body)
    expect(Buffer.byteLength(kept.body)).toBeGreaterThan(900_000)
    await quarantine.keep(kept)
    expect(await quarantine.list()).toContainEqual({
      id: kept.id,
      receivedAt: RECEIVED_AT,
      statusCode: 422,
      eventType: 'CreateSnapshotByTimeOffsetComplete',
      taskId: TASK,
      fileId: FILE,
      firstProblem: kept.problems[0],
      bytes: Buffer.byteLength(kept.body),
    })
    expect(await quarantine.get(kept.id)).toStrictEqual(kept)
    expect(await quarantine.get('20261124T030000000Z-none')).toBeUndefined()
    await quarantine.remove(kept.id)
  })

  it('records the task and file IDs the body names, and lists an entry kept before without them', async () => {
    const quarantine = s3Quarantine(s3.client, BUCKET)
    const v3 = entry('20261124T030000500Z-v3', {
      EventType: 'ProcedureStateChanged',
      ProcedureStateChangeEvent: {
        TaskId: '1256768367-Procedure-kept',
        FileId: '5285890784246869930',
      },
    })
    await quarantine.keep(v3)
    // As keep wrote it before the IDs were recorded: the same object, metadata without them.
    const old = entry('20261124T030000600Z-old', invalidCallback(2))
    await s3.client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `quarantine/${old.id}.json`,
        Body: JSON.stringify(old),
        Metadata: { receivedat: RECEIVED_AT, statuscode: '422', bodybytes: '10' },
      }),
    )

    const listed = await quarantine.list()

    expect(listed.find((summary) => summary.id === v3.id)).toStrictEqual({
      id: v3.id,
      receivedAt: RECEIVED_AT,
      statusCode: 422,
      eventType: 'CreateSnapshotByTimeOffsetComplete',
      taskId: '1256768367-Procedure-kept',
      fileId: '5285890784246869930',
      firstProblem: v3.problems[0],
      bytes: Buffer.byteLength(v3.body),
    })
    expect(listed.find((summary) => summary.id === old.id)).toStrictEqual({
      id: old.id,
      receivedAt: RECEIVED_AT,
      statusCode: 422,
      eventType: undefined,
      firstProblem: undefined,
      bytes: 10,
    })
    await quarantine.remove(v3.id)
    await quarantine.remove(old.id)
  })

  it('keeps a body whose first problem quotes a lone surrogate, listing it well-formed', async () => {
    // encodeURIComponent throws on a lone surrogate: the entry was lost to the log.
    const quarantine = s3Quarantine(s3.client, BUCKET)
    const kept = {
      ...entry('20261124T030000000Z-surrogate', '{"a\\ud800":1}'),
      problems: ['a\ud800: unknown'],
    }
    await quarantine.keep(kept)
    const listed = (await quarantine.list()).find((summary) => summary.id === kept.id)
    expect(listed?.firstProblem).toBe('a\ufffd: unknown')
    expect(await quarantine.get(kept.id)).toStrictEqual(kept)
    await quarantine.remove(kept.id)
  })

  it('keeps a callback that is still invalid, with its new problems, and changes nothing', async () => {
    const quarantine = s3Quarantine(s3.client, BUCKET)
    const kept = { ...entry('20261124T030001000Z-still', invalidCallback(3)), problems: ['old'] }
    await quarantine.keep(kept)
    const outcome = await replayQuarantined(quarantine, kept.id, {
      ...road(),
      now: () => new Date('2026-11-25T00:00:00.000Z'),
    })
    expect(outcome).toStrictEqual({
      id: kept.id,
      outcome: 'invalid',
      problems: ['data.picInfo.2.timeOffset: the time offset must not be negative'],
    })
    expect(await quarantine.get(kept.id)).toStrictEqual({
      ...kept,
      problems: ['data.picInfo.2.timeOffset: the time offset must not be negative'],
      replayedAt: '2026-11-25T00:00:00.000Z',
    })
    expect(await queryByTask(doc, TABLE, TASK)).toStrictEqual([])
    await quarantine.remove(kept.id)
  })

  it.each([
    // Found outside: refused live with 400, stored by a replay that parsed with JSON.parse.
    [
      'a __proto__ key',
      { body: '{"__proto__":{"x":1}}', bodyEncoding: 'utf8' as const },
      ['body: expected no __proto__ or constructor.prototype key'],
    ],
    // Decoded loosely, an invalid byte became U+FFFD and the body valid JSON.
    [
      'an invalid UTF-8 byte',
      {
        body: Buffer.concat([
          Buffer.from(JSON.stringify(legacyCallbackWith(2, TASK)).slice(0, 30)),
          Buffer.from([0xff]),
          Buffer.from(JSON.stringify(legacyCallbackWith(2, TASK)).slice(30)),
        ]).toString('base64'),
        bodyEncoding: 'base64' as const,
      },
      ['body: must be well-formed UTF-8'],
    ],
    // The front door's 1 MB is its answer's limit; a replay's is what Lambda can pass on.
    [
      'over the size a replay reads',
      { body: OVER_READ_LIMIT, bodyEncoding: 'utf8' as const },
      [`body: ${OVER_READ_LIMIT.length} bytes, at most ${MAX_READ_BODY_BYTES} allowed`],
    ],
  ])(
    'replays a body with %s as the front door reads it: refused again, nothing stored',
    async (_, body, problems) => {
      const quarantine = s3Quarantine(s3.client, BUCKET)
      const kept = { ...entry('20261124T030001500Z-parity', null), ...body, statusCode: 400 }
      await quarantine.keep(kept)
      const outcome = await replayQuarantined(quarantine, kept.id, road())
      expect(outcome).toStrictEqual({ id: kept.id, outcome: 'invalid', problems })
      expect(await queryByTask(doc, TABLE, TASK)).toStrictEqual([])
      await quarantine.remove(kept.id)
    },
  )

  it('stores every result once the parser accepts it, empties the quarantine, and is idempotent', async () => {
    const quarantine = s3Quarantine(s3.client, BUCKET)
    const kept = entry('20261124T030002000Z-fixed', invalidCallback(1000))
    await quarantine.keep(kept)
    const outcome = await replayQuarantined(quarantine, kept.id, { ...road(), parse: fixedParser })
    expect(outcome).toStrictEqual({ id: kept.id, outcome: 'stored', stored: 999 })
    const items = await queryByTask(doc, TABLE, TASK)
    expect(items).toHaveLength(999)
    expect(items.every((item) => item.receivedAt === RECEIVED_AT)).toBe(true)
    expect(await quarantine.list()).toStrictEqual([])
    expect(
      await replayQuarantined(quarantine, kept.id, { ...road(), parse: fixedParser }),
    ).toStrictEqual({ id: kept.id, outcome: 'not-found' })
    expect(await queryByTask(doc, TABLE, TASK)).toStrictEqual(items)
  })

  it('keeps another event type while there is no bus to pass it on to', async () => {
    const quarantine = s3Quarantine(s3.client, BUCKET)
    const kept = entry('20261124T030003000Z-other', {
      version: '4.0',
      eventType: 'NewFileUpload',
      data: {},
    })
    await quarantine.keep(kept)
    expect(await replayQuarantined(quarantine, kept.id, road())).toStrictEqual({
      id: kept.id,
      outcome: 'failed',
      reason: 'another event type, and no bus to pass it on to',
    })
    expect(await quarantine.get(kept.id)).toStrictEqual(kept)
    await quarantine.remove(kept.id)
  })

  it('passes such an event on before it leaves, and keeps it while that fails', async () => {
    const quarantine = s3Quarantine(s3.client, BUCKET)
    const body = { version: '4.0', eventType: 'FileDeleted', data: {} }
    const kept = entry('20261124T030005000Z-forward', body)
    await quarantine.keep(kept)
    const failing = forwardingTo(async () => {
      throw new Error('EventBridge is down')
    })
    expect(
      await replayQuarantined(quarantine, kept.id, { ...road(), forwarding: failing }),
    ).toStrictEqual({ id: kept.id, outcome: 'failed', reason: 'the bus did not take it' })
    expect(await quarantine.get(kept.id)).toStrictEqual(kept)

    const forwarded: [string | undefined, string][] = []
    const forwarding = forwardingTo(async ({ eventType, body }) => {
      forwarded.push([eventType, body])
      return 'published'
    })
    expect(await replayQuarantined(quarantine, kept.id, { ...road(), forwarding })).toMatchObject({
      outcome: 'ignored',
    })
    expect(forwarded).toStrictEqual([['FileDeleted', JSON.stringify(body)]])
    expect(await quarantine.get(kept.id)).toBeUndefined()
  })
})

describe('npm run quarantine', () => {
  it('lists, shows and replays as JSON, and exits 1 while callbacks stay', async () => {
    const quarantine = s3Quarantine(s3.client, BUCKET)
    const notJson = {
      ...entry('20261124T030004000Z-text', null),
      body: 'not json',
      statusCode: 400,
    }
    await quarantine.keep(notJson)

    const list = await runScript('quarantine', ['--list', '--json'], env())
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout)).toStrictEqual([
      {
        id: notJson.id,
        receivedAt: RECEIVED_AT,
        statusCode: 400,
        eventType: 'CreateSnapshotByTimeOffsetComplete',
        firstProblem: notJson.problems[0],
        bytes: 8,
      },
    ])

    const show = await runScript('quarantine', ['--show', notJson.id], env())
    expect(show.code).toBe(0)
    expect(show.stdout).toContain('body:\nnot json')

    const replay = await runScript('quarantine', ['--replay', '--all', '--json'], env())
    expect(replay.code).toBe(1)
    expect(JSON.parse(replay.stdout)).toStrictEqual([
      { id: notJson.id, outcome: 'invalid', problems: ['body: expected JSON'] },
    ])
    await quarantine.remove(notJson.id)
    const empty = await runScript('quarantine', ['--list'], env())
    expect(empty).toStrictEqual({ code: 0, stdout: 'The quarantine is empty.\n', stderr: '' })
  })

  it('prints what a kept callback holds with control, bidi and surrogate characters escaped', async () => {
    // Clear the screen, set the window title, the 8-bit CSI, a right-to-left override; and a lone
    // surrogate where the quarantine can keep one (not in the listing's S3 metadata, which
    // encodeURIComponent writes).
    const attack = '\u001b[2J\u001b]0;owned\u0007\u009b\u202e'
    const shown = '\\u001b[2J\\u001b]0;owned\\u0007\\u009b\\u202e'
    const raw = ['\u001b', '\u0007', '\u009b', '\u202e', '\ud800']
    const quarantine = s3Quarantine(s3.client, BUCKET)
    const kept: QuarantinedCallback = {
      ...entry('20261124T030006000Z-attack', null),
      eventType: `截图${attack}`,
      problems: [`data.x: ${attack}`, `data.y: ${attack}\ud800`],
      body: `{\n  "fileName": "截图${attack}\ud800.mp4"\n}`,
    }
    await quarantine.keep(kept)

    const list = await runScript('quarantine', ['--list'], env())
    const show = await runScript('quarantine', ['--show', kept.id], env())
    for (const run of [list, show]) for (const char of raw) expect(run.stdout).not.toContain(char)
    const line = `${kept.id}  ${RECEIVED_AT}  422  截图${shown}  -  -  data.x: ${shown}`
    expect(list).toStrictEqual({
      code: 0,
      stdout: `${line}\n\n1 callback in the quarantine\n`,
      stderr: '',
    })
    expect(show).toStrictEqual({
      code: 0,
      stdout: [
        line,
        'problems:',
        `  data.x: ${shown}`,
        `  data.y: ${shown}\\ud800`,
        'body:',
        '{',
        `  "fileName": "截图${shown}\\ud800.mp4"`,
        '}',
        '',
      ].join('\n'),
      stderr: '',
    })

    const listJson = await runScript('quarantine', ['--list', '--json'], env())
    const showJson = await runScript('quarantine', ['--show', kept.id, '--json'], env())
    for (const run of [listJson, showJson]) {
      for (const char of raw) expect(run.stdout).not.toContain(char)
      expect(run.stdout).toContain('截图\\u001b[2J\\u001b]0;owned\\u0007\\u009b\\u202e')
    }
    expect(JSON.parse(listJson.stdout)).toStrictEqual([
      {
        id: kept.id,
        receivedAt: RECEIVED_AT,
        statusCode: 422,
        eventType: kept.eventType,
        firstProblem: kept.problems[0],
        bytes: Buffer.byteLength(kept.body),
      },
    ])
    expect(JSON.parse(showJson.stdout)).toStrictEqual(kept)
    await quarantine.remove(kept.id)
  })

  it('answers a wrong command line with the usage and 2, an unknown ID with 1', async () => {
    const usage = await runScript('quarantine', ['--show'], env())
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/^--show needs a quarantine ID\n\nUsage: npm run quarantine/)
    const missing = await runScript('quarantine', ['--show', 'nope'], env())
    expect(missing).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `nope is not in the quarantine (bucket ${BUCKET})\n`,
    })
    const unreadable = await runScript('quarantine', ['--import', '/no/such/file'], env())
    expect(unreadable.code).toBe(1)
    expect(unreadable.stderr).toMatch(/^Could not read \/no\/such\/file: ENOENT/)
    // Found outside: a file with nothing to put back was reported done, exit 0.
    const garbageDir = await mkdtemp(join(tmpdir(), 'quarantine-import-'))
    const garbage = join(garbageDir, 'g.log')
    await writeFile(garbage, 'garbage\n{"x":1}\n')
    const nothing = await runScript('quarantine', ['--import', garbage], env())
    await rm(garbageDir, { recursive: true, force: true })
    expect(nothing).toStrictEqual({
      code: 1,
      stdout:
        '0 callback(s) put back in the quarantine, 0 incomplete, 0 damaged, 2 other line(s) skipped\n',
      stderr:
        `Nothing to put back in ${garbage}: no line of a callback the quarantine could not keep ` +
        '(VOD_SNAPSHOTS_UNSTORED_CALLBACK, reason "quarantine failed")\n',
    })
    const help = await runScript('quarantine', ['--help'], {})
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: npm run quarantine/)
  })

  it('says in one line when the bucket does not exist', async () => {
    const run = await runScript('quarantine', ['--list'], {
      ...env(),
      QUARANTINE_BUCKET: 'no-such-bucket',
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(
      /^Quarantine bucket no-such-bucket at http:\/\/127\.0\.0\.1:\d+: .+\n$/,
    )
  })
})

/**
 * `npm run quarantine` as on a terminal: stdin and stderr report isTTY (the test cannot give it
 * a real one), and `typed` is what the operator types.
 */
function onATerminal(args: readonly string[], typed: string): Promise<ScriptRun> {
  const tty = '--import=data:text/javascript,process.stdin.isTTY=true;process.stderr.isTTY=true'
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} ${tty}`
  return runScript('quarantine', args, { ...env(), NODE_OPTIONS: nodeOptions }, typed)
}

describe('npm run quarantine: finding and deleting kept callbacks', () => {
  const DAY = 86_400_000
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString()
  /** Three kept callbacks: two of TASK received 40 and 10 days ago, one of another task now. */
  async function keepThree() {
    const quarantine = s3Quarantine(s3.client, BUCKET)
    const kept = [
      { ...entry('20261001T000000000Z-old', invalidCallback(2)), receivedAt: daysAgo(40) },
      { ...entry('20261101T000000000Z-recent', invalidCallback(2)), receivedAt: daysAgo(10) },
      {
        ...entry('20261201T000000000Z-other', {
          EventType: 'NewFileUpload',
          SnapshotByTimeOffsetCompleteEvent: { TaskId: 'Other-task', FileId: 'other-file' },
        }),
        receivedAt: daysAgo(0),
      },
    ]
    for (const k of kept) await quarantine.keep(k)
    return kept
  }
  const ids = async () => (await s3Quarantine(s3.client, BUCKET).list()).map((s) => s.id)
  async function empty() {
    const quarantine = s3Quarantine(s3.client, BUCKET)
    for (const id of await ids()) await quarantine.remove(id)
  }

  it('lists the task and file IDs, and only the callbacks --task, --file and --since take', async () => {
    const [old, recent, other] = await keepThree()

    const byTask = await runScript('quarantine', ['--list', '--task', TASK], env())
    const byFile = await runScript(
      'quarantine',
      ['--list', '--file', 'other-file', '--json'],
      env(),
    )
    const since = await runScript(
      'quarantine',
      ['--list', '--task', TASK, '--since', daysAgo(20), '--json'],
      env(),
    )

    const line = (k: QuarantinedCallback) =>
      `${k.id}  ${k.receivedAt}  422  CreateSnapshotByTimeOffsetComplete  ${TASK}  ${FILE}  ${k.problems[0]}`
    expect(byTask).toStrictEqual({
      code: 0,
      stdout: `${line(old as QuarantinedCallback)}\n${line(recent as QuarantinedCallback)}\n\n2 callbacks of 3 in the quarantine\n`,
      stderr: '',
    })
    // Found outside: a filter that took none read "The quarantine is empty." with 3 kept.
    const none = await runScript('quarantine', ['--list', '--task', 'no-such-task'], env())
    expect(none).toStrictEqual({
      code: 0,
      stdout: 'No kept callback matches the filters (3 callbacks in the quarantine).\n',
      stderr: '',
    })
    expect(JSON.parse(byFile.stdout)).toMatchObject([
      { id: other?.id, taskId: 'Other-task', fileId: 'other-file' },
    ])
    expect(JSON.parse(since.stdout).map((s: { id: string }) => s.id)).toStrictEqual([recent?.id])
    await empty()
  })

  it('deletes by ID with --yes, and deletes nothing when an ID is not kept', async () => {
    const [old, recent] = await keepThree()

    const unknown = await runScript(
      'quarantine',
      ['--delete', old?.id ?? '', '20260101T000000000Z-none', '--yes'],
      env(),
    )
    expect(unknown).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `20260101T000000000Z-none is not in the quarantine (bucket ${BUCKET})\nNothing deleted.\n`,
    })
    expect(await ids()).toHaveLength(3)

    const deleted = await runScript(
      'quarantine',
      ['--delete', old?.id ?? '', recent?.id ?? '', '--yes'],
      env(),
    )
    expect(deleted).toStrictEqual({
      code: 0,
      stdout: `${old?.id}: deleted\n${recent?.id}: deleted\ndone: 2 deleted\n`,
      stderr: '',
    })
    expect(await ids()).toStrictEqual(['20261201T000000000Z-other'])
    await empty()
  })

  it('deletes what is older than --older-than days, after asking on a terminal', async () => {
    const [old] = await keepThree()

    const noTerminal = await runScript('quarantine', ['--delete', '--older-than', '30'], env())
    expect(noTerminal).toStrictEqual({
      code: 2,
      stdout: '',
      stderr:
        '--delete asks before it deletes, and there is no terminal to ask on: add --yes to delete without asking\n',
    })
    const question =
      `${old?.id}  ${old?.receivedAt}  422  CreateSnapshotByTimeOffsetComplete  ${TASK}  ${FILE}  ` +
      `${old?.problems[0]}\nDelete 1 entry? [y/N] `
    const declined = await onATerminal(['--delete', '--older-than', '30'], 'n\n')
    expect(declined).toStrictEqual({ code: 1, stdout: '', stderr: `${question}Nothing deleted.\n` })
    expect(await ids()).toHaveLength(3)

    const confirmed = await onATerminal(['--delete', '--older-than', '30', '--json'], 'y\n')
    expect({ code: confirmed.code, stderr: confirmed.stderr }).toStrictEqual({
      code: 0,
      stderr: question,
    })
    expect(JSON.parse(confirmed.stdout)).toStrictEqual({ deleted: [old?.id] })
    expect(await ids()).toHaveLength(2)

    const none = await runScript('quarantine', ['--delete', '--older-than', '30', '--yes'], env())
    expect(none.code).toBe(0)
    expect(none.stdout).toMatch(/^Nothing in the quarantine was received before \S+Z\.\n$/)
    await empty()
  })

  it('replays only the callbacks the filters take, with no progress when stderr is no terminal', async () => {
    const [, , other] = await keepThree()

    const replay = await runScript(
      'quarantine',
      ['--replay', '--all', '--task', 'Other-task'],
      env(),
    )

    expect(replay).toStrictEqual({
      code: 1,
      stdout: `${other?.id}: FAILED to store, kept: another event type, and no bus to pass it on to\ndone: 0 replayed, 1 left\n`,
      stderr: '',
    })
    await empty()
  })
})
