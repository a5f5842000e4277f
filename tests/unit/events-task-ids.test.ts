import { describe, expect, it } from 'vitest'
import { parseCallback } from '../../lib/events/parse-callback'
import { subtaskTaskIds } from '../../lib/events/procedure-results'
import { fixture } from '../support/fixtures'
import { problemsOf } from '../support/parse-problems'

const TASK_ID = '1256768367-Procedure-475b72xxxcb177t1'

type V3Body = {
  ProcedureStateChangeEvent: { TaskId: string; MediaProcessResultSet: Record<string, unknown>[] }
}

/** Each stored result's key, template and offset: what identifies one screenshot. */
const keysOf = (body: unknown) => {
  const parsed = parseCallback(body)
  if (parsed.kind !== 'snapshots') throw new Error('no results')
  return parsed.results.map((r) => `${r.vodTaskId} @${r.timeOffset}`)
}

describe('the key rule does not depend on how many subtasks a delivery lists', () => {
  it('stores template 10 under the same keys whether template 20 is listed beside it or not', () => {
    const both = fixture<V3Body>('v3-procedure-two-templates')
    const alone = fixture<V3Body>('v3-procedure-two-templates')
    const set = alone.ProcedureStateChangeEvent.MediaProcessResultSet
    const last = set.length - 1
    expect((set[last] as { Type: string }).Type).toBe('SnapshotByTimeOffset')
    set.splice(last, 1)

    expect(keysOf(alone)).toStrictEqual([`${TASK_ID}#10 @1000`, `${TASK_ID}#10 @2000`])
    expect(keysOf(both)).toStrictEqual([
      `${TASK_ID}#10 @1000`,
      `${TASK_ID}#10 @2000`,
      `${TASK_ID}#20 @1000`,
      `${TASK_ID}#20 @2000`,
    ])
  })

  it("keeps a template's first occurrence at one key whether its repeat is listed or not", () => {
    expect(subtaskTaskIds('T', [10])).toStrictEqual(['T#10'])
    expect(subtaskTaskIds('T', [10, 10])).toStrictEqual(['T#10', 'T#10#2'])
    expect(subtaskTaskIds('T', [20, 10, 10])).toStrictEqual(['T#20', 'T#10', 'T#10#2'])
  })
})

describe('a task ID holding "#"', () => {
  // The value must never come back: a problem names the path and what is expected.
  const ID = 'secret-4711#10'

  const v3Snapshot = () => {
    const body = fixture<{ SnapshotByTimeOffsetCompleteEvent: { TaskId: string } }>(
      'v3-snapshot-success',
    )
    body.SnapshotByTimeOffsetCompleteEvent.TaskId = ID
    return body
  }
  const legacySnapshot = () => {
    const body = fixture<{ data: { vodTaskId: string } }>('legacy-snapshot-success')
    body.data.vodTaskId = ID
    return body
  }
  const v3Procedure = (name: string) => () => {
    const body = fixture<V3Body>(name)
    body.ProcedureStateChangeEvent.TaskId = ID
    return body
  }
  const legacyProcedure = () => {
    const body = fixture<{ data: { vodTaskId: string } }>('legacy-procedure-state-changed')
    body.data.vodTaskId = ID
    return body
  }

  it.each([
    ['the 2017 event, v3.0', v3Snapshot, 'SnapshotByTimeOffsetCompleteEvent.TaskId'],
    ['the 2017 event, legacy', legacySnapshot, 'data.vodTaskId'],
    ['a task flow, v3.0', v3Procedure('v3-procedure-snapshot'), 'ProcedureStateChangeEvent.TaskId'],
    [
      'a task flow without a snapshot subtask, v3.0',
      v3Procedure('v3-procedure-state-changed'),
      'ProcedureStateChangeEvent.TaskId',
    ],
    ['a task flow, legacy', legacyProcedure, 'data.vodTaskId'],
  ])('is refused in %s, naming the path and not the value', (_, body, path) => {
    const problems = problemsOf(body())
    expect(problems).toStrictEqual([`${path}: the task ID must not contain "#"`])
    expect(problems.join('\n')).not.toContain('secret')
  })

  it('is not what a task flow with a "#"-free ID and its own templates produces', () => {
    // "T#10" can only be task flow T's template 10: no task ID of another task reaches it.
    const body = fixture<V3Body>('v3-procedure-snapshot')
    body.ProcedureStateChangeEvent.TaskId = 'secret-4711'
    expect(parseCallback(body)).toMatchObject({
      kind: 'snapshots',
      vodTaskId: 'secret-4711',
      results: [{ vodTaskId: 'secret-4711#10' }, { vodTaskId: 'secret-4711#10' }],
    })
  })
})
