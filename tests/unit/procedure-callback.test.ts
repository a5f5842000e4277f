import { describe, expect, it } from 'vitest'
import { parseCallback } from '../../lib/events/parse-callback'
import { secondsToMs, subtaskTaskIds } from '../../lib/events/procedure-results'
import type { SnapshotResult } from '../../lib/events/snapshot-result'
import { collapseDuplicateResults } from '../../lib/store/snapshot-item'
import { fixture } from '../support/fixtures'
import { problemsOf } from '../support/parse-problems'

const TASK_ID = '1256768367-Procedure-475b72xxxcb177t1'
const FILE_ID = '5285890784246869930'
const SHOTS = 'https://1256768367.vod2.myqcloud.com/xxx/xxx/snapshot'
/** The key of template 10's items: every task-flow subtask is keyed `<TaskId>#<definition>`. */
const KEY_10 = `${TASK_ID}#10`

type V3Body = {
  ProcedureStateChangeEvent: { MediaProcessResultSet: Record<string, unknown>[] } & Record<
    string,
    unknown
  >
}
type SnapshotTask = {
  Status: string
  ErrCode: number
  Input: Record<string, unknown>
  Output: { PicInfoSet: Record<string, unknown>[] } | null
}

/** The snapshot subtask at `index` of the fixture's result set, to change before sending. */
const snapshotTask = (body: V3Body, index: number) =>
  (
    body.ProcedureStateChangeEvent.MediaProcessResultSet[index] as {
      SnapshotByTimeOffsetTask: SnapshotTask
    }
  ).SnapshotByTimeOffsetTask

const result = (vodTaskId: string, definition: number, timeOffset: number, status = 0) => ({
  vodTaskId,
  fileId: FILE_ID,
  definition,
  timeOffset,
  status,
  eventType: 'ProcedureStateChanged',
  procedureTaskId: TASK_ID,
  ...(status === 0 ? { url: `${SHOTS}/${definition}_${timeOffset}.jpg` } : {}),
})

describe('parseCallback on ProcedureStateChanged', () => {
  it('normalises a v3.0 snapshot subtask into one result per picture, as sent', () => {
    const session = { sessionContext: 'order-4711', sessionId: 'dedup-4711' }
    expect(parseCallback(fixture('v3-procedure-snapshot'))).toStrictEqual({
      kind: 'snapshots',
      format: 'v3',
      eventType: 'ProcedureStateChanged',
      vodTaskId: TASK_ID,
      unkeyedFailures: 0,
      results: [
        { ...result(KEY_10, 10, 3500), ...session, watermarkDefinitions: [1000] },
        { ...result(KEY_10, 10, 10000.5), ...session },
      ],
    })
  })

  it('gives the legacy example the same kind of results, each marked partial (a merge)', () => {
    const legacyTask = '251000333-mango-c27bdf65ea06646171e714f25f5aac63'
    const shots =
      'http://125xx.vod2.myqcloud.com/42f909a8vodtransgzp251000333/dee2963524820810452267193/snapshot/1502280085_887773835.100_'
    const legacy = (timeOffset: number) => ({
      vodTaskId: `${legacyTask}#10`,
      fileId: '123123123',
      definition: 10,
      timeOffset,
      status: 0,
      eventType: 'ProcedureStateChanged',
      procedureTaskId: legacyTask,
      partial: true,
      url: `${shots}${timeOffset}.jpg`,
    })
    expect(parseCallback(fixture('legacy-procedure-state-changed'))).toStrictEqual({
      kind: 'snapshots',
      format: 'legacy',
      eventType: 'ProcedureStateChanged',
      vodTaskId: legacyTask,
      unkeyedFailures: 0,
      results: [legacy(300), legacy(400)],
    })
  })

  it('marks no v3.0 result partial: the format carries every attribute', () => {
    const parsed = parseCallback(fixture('v3-procedure-snapshot'))
    expect(parsed.kind === 'snapshots' && parsed.results.map((r) => r.partial)).toStrictEqual([
      undefined,
      undefined,
    ])
  })

  it('keys two templates apart and stores nothing of a PROCESSING subtask', () => {
    const parsed = parseCallback(fixture('v3-procedure-change-processing'))
    expect(parsed).toStrictEqual({
      kind: 'snapshots',
      format: 'v3',
      eventType: 'ProcedureStateChanged',
      vodTaskId: TASK_ID,
      unkeyedFailures: 0,
      results: [result(KEY_10, 10, 1000), result(KEY_10, 10, 2000)],
    })
  })

  it('turns a FAIL subtask into failures at its definite offsets and counts "10%"', () => {
    const parsed = parseCallback(fixture('v3-procedure-snapshot-failure'))
    expect(parsed).toStrictEqual({
      kind: 'snapshots',
      format: 'v3',
      eventType: 'ProcedureStateChanged',
      vodTaskId: TASK_ID,
      unkeyedFailures: 1,
      results: [result(KEY_10, 10, 1000.5, 60000), result(KEY_10, 10, 3500, 60000)],
    })
  })

  it('gives a FAIL without a code a non-zero status, and lets a delivered picture win', () => {
    const body = fixture<V3Body>('v3-procedure-snapshot-failure')
    const task = snapshotTask(body, 2)
    task.ErrCode = 0
    task.Output = { PicInfoSet: [{ TimeOffset: 3500, Url: `${SHOTS}/10_3500.jpg` }] }
    const parsed = parseCallback(body)
    expect(parsed.kind === 'snapshots' && parsed.results).toStrictEqual([
      result(KEY_10, 10, 1000.5, -1),
      result(KEY_10, 10, 3500, -1),
      result(KEY_10, 10, 3500),
    ])
  })

  it.each([
    ['v3', fixture('v3-procedure-state-changed')],
    [
      'v3 with a null result set',
      {
        EventType: 'ProcedureStateChanged',
        ProcedureStateChangeEvent: { TaskId: 'p', FileId: 'f', MediaProcessResultSet: null },
      },
    ],
    [
      'legacy',
      {
        version: '4.0',
        eventType: 'ProcedureStateChanged',
        data: { vodTaskId: 'p', fileId: 'f', processTaskList: [{ taskType: 'Transcode' }] },
      },
    ],
  ])('ignores a valid %s task flow without a snapshot subtask', (_, body) => {
    expect(parseCallback(body)).toStrictEqual({
      kind: 'ignored',
      format: _.startsWith('legacy') ? 'legacy' : 'v3',
      eventType: 'ProcedureStateChanged',
    })
  })

  it('accepts whatever VOD puts in the other subtasks beside their type', () => {
    const body = fixture<V3Body>('v3-procedure-snapshot')
    body.ProcedureStateChangeEvent.MediaProcessResultSet[0] = { Type: 'New', NewTask: [1, null] }
    expect(parseCallback(body)).toMatchObject({ kind: 'snapshots', unkeyedFailures: 0 })
  })

  it('rejects a snapshot subtask that is not what VOD documents, naming the path', () => {
    // Validation stops at the first problem (a hostile body can hold thousands): one per body.
    const missingFile = fixture<V3Body>('v3-procedure-snapshot')
    delete missingFile.ProcedureStateChangeEvent.FileId
    const badStatus = fixture<V3Body>('v3-procedure-snapshot')
    snapshotTask(badStatus, 2).Status = 'DONE'
    const negative = fixture<V3Body>('v3-procedure-snapshot')
    const pictures = snapshotTask(negative, 2).Output?.PicInfoSet
    ;(pictures?.[1] as Record<string, unknown>).TimeOffset = -0.5
    expect([missingFile, badStatus, negative].map(problemsOf)).toStrictEqual([
      ['ProcedureStateChangeEvent.FileId: is required'],
      [
        'ProcedureStateChangeEvent.MediaProcessResultSet.2.SnapshotByTimeOffsetTask.Status: the subtask status must be PROCESSING, SUCCESS or FAIL',
      ],
      [
        'ProcedureStateChangeEvent.MediaProcessResultSet.2.SnapshotByTimeOffsetTask.Output.PicInfoSet.1.TimeOffset: the time offset must not be negative',
      ],
    ])
  })

  it('rejects a session value that is not well-formed Unicode, as it rejects a task ID', () => {
    const body = fixture<V3Body>('v3-procedure-snapshot')
    ;(body.ProcedureStateChangeEvent as Record<string, unknown>).SessionContext = 'order-\ud800'
    expect(problemsOf(body)).toStrictEqual([
      'ProcedureStateChangeEvent.SessionContext: the session value must be well-formed Unicode',
    ])
  })

  it("still rejects the 2017 event's fractional offsets: its API types them as integers", () => {
    const body = fixture<{ data: { picInfo: { timeOffset: number }[] } }>('legacy-snapshot-success')
    ;(body.data.picInfo[0] as { timeOffset: number }).timeOffset = 10000.5
    expect(problemsOf(body)).toStrictEqual([
      'data.picInfo.0.timeOffset: the time offset must be a whole number of milliseconds',
    ])
  })
})

describe('the key rule', () => {
  it.each([
    [[10], ['T#10']],
    [
      [10, 20],
      ['T#10', 'T#20'],
    ],
    [
      [10, 20, 10],
      ['T#10', 'T#20', 'T#10#2'],
    ],
    [
      [10, 10, 20, 10],
      ['T#10', 'T#10#2', 'T#20', 'T#10#3'],
    ],
  ])('keys the templates %j as %j', (definitions, keys) => {
    expect(subtaskTaskIds('T', definitions)).toStrictEqual(keys)
  })
})

describe('secondsToMs', () => {
  it.each([
    ['3.5s', 3500],
    ['0.1s', 100],
    ['10.0005s', 10000.5],
    ['0s', 0],
    ['12s', 12000],
  ])('reads %s as %d ms, on the digits', (point, ms) => {
    expect(secondsToMs(point)).toBe(ms)
  })

  it.each(['10%', '3.5', '-1s', 's', '1e3s', ' 3s', `0.${'0'.repeat(200)}1s`])(
    'has no offset for %j',
    (point) => {
      expect(secondsToMs(point)).toBeUndefined()
    },
  )
})

describe('a fractional offset DynamoDB cannot hold', () => {
  it('is rejected below 1e-130 ms, and 1e-130 itself is kept', () => {
    const body = fixture<V3Body>('v3-procedure-snapshot')
    const picture = snapshotTask(body, 2).Output?.PicInfoSet[0] as Record<string, unknown>
    picture.TimeOffset = 5e-324
    expect(problemsOf(body)).toStrictEqual([
      'ProcedureStateChangeEvent.MediaProcessResultSet.2.SnapshotByTimeOffsetTask.Output.PicInfoSet.0.TimeOffset: the time offset must be 0 or at least 1e-130 milliseconds',
    ])
    picture.TimeOffset = 1e-130
    const parsed = parseCallback(body)
    expect(parsed.kind === 'snapshots' && parsed.results[0]?.timeOffset).toBe(1e-130)
  })
})

describe('a task ID too long for the key rule', () => {
  it.each([
    ['v3-procedure-two-templates', 'two subtasks'],
    ['v3-procedure-snapshot', 'one subtask'],
  ])('is rejected when "#<definition>" would take the key past 2,048 bytes (%s: %s)', (name) => {
    const body = fixture<V3Body>(name)
    body.ProcedureStateChangeEvent.TaskId = 'p'.repeat(2046)
    expect(problemsOf(body)).toStrictEqual([
      'ProcedureStateChangeEvent.TaskId: the task ID and its "#<definition>" suffix must be at most 2048 bytes',
    ])
    body.ProcedureStateChangeEvent.TaskId = 'p'.repeat(2045)
    expect(parseCallback(body)).toMatchObject({ kind: 'snapshots', vodTaskId: 'p'.repeat(2045) })
  })
})

describe('a task ID with a "#"', () => {
  it.each([
    ['v3-procedure-snapshot', 'ProcedureStateChangeEvent', 'TaskId'],
    ['v3-procedure-state-changed', 'ProcedureStateChangeEvent', 'TaskId'],
    ['legacy-procedure-state-changed', 'data', 'vodTaskId'],
  ])(
    'is rejected, naming its path (%s): it could name another task flow’s items',
    (name, event, field) => {
      const body = fixture<Record<string, Record<string, unknown>>>(name)
      ;(body[event] as Record<string, unknown>)[field] = `${TASK_ID}#10`
      expect(problemsOf(body)).toStrictEqual([
        `${event}.${field}: the task ID must not contain "#"`,
      ])
    },
  )
})

describe('collapseDuplicateResults on task-flow results', () => {
  it('keeps fractional offsets and the templates apart, and one result per exact key', () => {
    const results = [
      result(`${TASK_ID}#10`, 10, 10000),
      result(`${TASK_ID}#10`, 10, 10000.5),
      result(`${TASK_ID}#20`, 20, 10000.5),
      result(`${TASK_ID}#10`, 10, 10000.5, 60000),
      result(`${TASK_ID}#20`, 20, 10000.5),
    ] as SnapshotResult[]
    expect(collapseDuplicateResults(results)).toStrictEqual([results[0], results[1], results[4]])
  })
})
