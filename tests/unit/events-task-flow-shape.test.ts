import { describe, expect, it } from 'vitest'
import { parseCallback } from '../../lib/events/parse-callback'
import { fixture } from '../support/fixtures'
import { problemsOf } from '../support/parse-problems'

type Body = Record<string, unknown>
type V3Body = { ProcedureStateChangeEvent: Body & { MediaProcessResultSet: unknown } }
type LegacyBody = { data: Body & { processTaskList: unknown } }

const v3 = (change: (body: V3Body, set: Body[]) => void) => () => {
  const body = fixture<V3Body>('v3-procedure-snapshot')
  change(body, body.ProcedureStateChangeEvent.MediaProcessResultSet as Body[])
  return body
}
const legacy = (change: (body: LegacyBody, list: Body[]) => void) => () => {
  const body = fixture<LegacyBody>('legacy-procedure-state-changed')
  change(body, body.data.processTaskList as Body[])
  return body
}

const V3_SET = 'ProcedureStateChangeEvent.MediaProcessResultSet'

describe('a task flow whose shape changed is refused, never ignored', () => {
  it.each([
    [
      'v3.0: the container renamed',
      v3((body) => {
        const b = body as unknown as Body
        b.ProcedureStateChangedEvent = b.ProcedureStateChangeEvent
        delete b.ProcedureStateChangeEvent
      }),
      'ProcedureStateChangeEvent: is required',
    ],
    [
      'v3.0: the container null',
      v3((body) => {
        ;(body as unknown as Body).ProcedureStateChangeEvent = null
      }),
      'ProcedureStateChangeEvent: ProcedureStateChangeEvent must be an object',
    ],
    [
      'v3.0: the result set an object',
      v3((body, set) => {
        body.ProcedureStateChangeEvent.MediaProcessResultSet = { ...set }
      }),
      `${V3_SET}: MediaProcessResultSet must be an array`,
    ],
    [
      'v3.0: the result set absent',
      v3((body) => {
        delete (body.ProcedureStateChangeEvent as Body).MediaProcessResultSet
      }),
      `${V3_SET}: MediaProcessResultSet must be an array`,
    ],
    [
      'v3.0: Type "snapshotByTimeOffset"',
      v3((_, set) => {
        ;(set[2] as Body).Type = 'snapshotByTimeOffset'
      }),
      `${V3_SET}.2.Type: must be "SnapshotByTimeOffset"`,
    ],
    [
      'v3.0: Type "SNAPSHOT_BY_TIME_OFFSET"',
      v3((_, set) => {
        ;(set[2] as Body).Type = 'SNAPSHOT_BY_TIME_OFFSET'
      }),
      `${V3_SET}.2.Type: must be "SnapshotByTimeOffset"`,
    ],
    [
      'v3.0: Type " Snapshot-By-Time-Offset "',
      v3((_, set) => {
        ;(set[2] as Body).Type = ' Snapshot-By-Time-Offset '
      }),
      `${V3_SET}.2.Type: must be "SnapshotByTimeOffset"`,
    ],
    [
      'v3.0: a subtask without Type',
      v3((_, set) => {
        delete (set[0] as Body).Type
      }),
      `${V3_SET}.0.Type: is required`,
    ],
    [
      'v3.0: a subtask whose Type is a number',
      v3((_, set) => {
        ;(set[0] as Body).Type = 42
      }),
      `${V3_SET}.0.Type: the subtask type must be a string`,
    ],
    [
      'v3.0: a subtask that is null',
      v3((_, set) => {
        set[0] = null as unknown as Body
      }),
      `${V3_SET}.0: each subtask must be an object`,
    ],
    [
      'legacy: subtasks saying type instead of taskType',
      legacy((_, list) => {
        for (const task of list) {
          task.type = task.taskType
          delete task.taskType
        }
      }),
      'data.processTaskList.0.taskType: is required',
    ],
    [
      'legacy: taskType "snapshotbytimeoffset"',
      legacy((_, list) => {
        ;(list[2] as Body).taskType = 'snapshotbytimeoffset'
      }),
      'data.processTaskList.2.taskType: must be "SnapshotByTimeOffset"',
    ],
    [
      'legacy: the task list an object',
      legacy((body, list) => {
        body.data.processTaskList = { ...list }
      }),
      'data.processTaskList: processTaskList must be an array',
    ],
    [
      'legacy: the task list absent',
      legacy((body) => {
        delete (body.data as Body).processTaskList
      }),
      'data.processTaskList: processTaskList must be an array',
    ],
    [
      'legacy: data renamed',
      legacy((body) => {
        const b = body as unknown as Body
        b.Data = b.data
        delete b.data
      }),
      'data: is required',
    ],
  ])('%s', (_, body, problem) => {
    expect(problemsOf(body())).toStrictEqual([problem])
  })

  it('checks a flow without a snapshot subtask too: its FileId is required', () => {
    const body = fixture<V3Body>('v3-procedure-state-changed')
    delete (body.ProcedureStateChangeEvent as Body).FileId
    expect(problemsOf(body)).toStrictEqual(['ProcedureStateChangeEvent.FileId: is required'])
  })
})

describe('a valid task flow with nothing to store is still ignored', () => {
  it.each([
    [
      'v3.0: a null result set',
      v3((body) => {
        body.ProcedureStateChangeEvent.MediaProcessResultSet = null
      }),
      'v3',
    ],
    [
      'v3.0: unknown subtask types, whatever they hold',
      v3((body) => {
        body.ProcedureStateChangeEvent.MediaProcessResultSet = [
          { Type: 'Transcode', TranscodeTask: 'anything' },
          { Type: 'Snapshot', SnapshotTask: [null] },
          { Type: '' },
        ]
      }),
      'v3',
    ],
    [
      'legacy: a null task list',
      legacy((body) => {
        body.data.processTaskList = null
      }),
      'legacy',
    ],
    [
      'legacy: only other subtasks',
      legacy((_, list) => {
        list.splice(2, 1)
      }),
      'legacy',
    ],
  ])('%s', (_, body, format) => {
    expect(parseCallback(body())).toStrictEqual({
      kind: 'ignored',
      format,
      eventType: 'ProcedureStateChanged',
    })
  })
})

describe('validation of a 1 MB task flow', () => {
  it('stops at the first problem, quickly, after 25,000 other subtasks', () => {
    const body = fixture<V3Body>('v3-procedure-snapshot')
    const others = Array.from({ length: 25_000 }, (_, i) => ({
      Type: 'Transcode',
      TranscodeTask: { Definition: i },
    }))
    const broken = Array.from({ length: 1000 }, () => ({ Type: 'snapshotbytimeoffset' }))
    body.ProcedureStateChangeEvent.MediaProcessResultSet = [...others, ...broken]
    expect(JSON.stringify(body).length).toBeGreaterThan(1_000_000)

    const started = performance.now()
    const problems = problemsOf(body)
    const elapsedMs = performance.now() - started

    expect(problems).toStrictEqual([`${V3_SET}.25000.Type: must be "SnapshotByTimeOffset"`])
    expect(elapsedMs).toBeLessThan(1000)
  })
})
