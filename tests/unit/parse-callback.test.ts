import { describe, expect, it } from 'vitest'
import { InvalidCallbackError, parseCallback } from '../../lib/events/parse-callback'
import { fixture } from '../support/fixtures'
import { problemsOf } from '../support/parse-problems'

const TASK_ID = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'

describe('parseCallback', () => {
  it("normalises the seed's legacy example into one result per screenshot", () => {
    expect(parseCallback(fixture('legacy-snapshot-failure'))).toStrictEqual({
      kind: 'snapshots',
      format: 'legacy',
      eventType: 'CreateSnapshotByTimeOffsetComplete',
      vodTaskId: TASK_ID,
      unkeyedFailures: 0,
      results: [
        {
          vodTaskId: TASK_ID,
          fileId: '9031868222841494656',
          definition: 20,
          timeOffset: 1000000,
          status: -46204,
          url: undefined,
        },
      ],
    })
  })

  it('normalises the v3.0 format into the same results as the legacy one', () => {
    const v3 = parseCallback(fixture('v3-snapshot-success'))
    const legacy = parseCallback({
      version: '4.0',
      eventType: 'CreateSnapshotByTimeOffsetComplete',
      data: {
        vodTaskId: TASK_ID,
        fileId: '14508071098244929440',
        definition: 10,
        picInfo: [
          {
            status: 0,
            timeOffset: 10000,
            url: 'http://125676836723.vod2.myqcloud.com/xxx/xxx/1.png',
          },
          {
            status: 0,
            timeOffset: 20000,
            url: 'http://125676836723.vod2.myqcloud.com/xxx/xxx/2.png',
          },
        ],
      },
    })
    expect(v3).toStrictEqual({ ...legacy, format: 'v3' })
  })

  it('ignores unknown fields and treats an empty or null url as none', () => {
    const body = fixture<
      { data: { picInfo: Record<string, unknown>[] } } & Record<string, unknown>
    >('legacy-snapshot-success')
    body.newTopLevelField = { anything: true }
    body.data.picInfo = [
      { status: 1, timeOffset: 1, url: '', extra: 1 },
      { status: 2, timeOffset: 2, url: null },
    ]
    const parsed = parseCallback(body)
    expect(parsed.kind === 'snapshots' && parsed.results.map((r) => r.url)).toStrictEqual([
      undefined,
      undefined,
    ])
  })

  it.each([
    ['legacy', { version: '4.0', eventType: 'NewFileUpload', data: {} }],
    ['v3', { EventType: 'FileDeleted', FileDeleteEvent: {} }],
  ])('recognises another event type in the %s format as ignored', (format, body) => {
    expect(parseCallback(body)).toStrictEqual({
      kind: 'ignored',
      format,
      eventType:
        (body as { eventType?: string }).eventType ?? (body as { EventType?: string }).EventType,
    })
  })

  it.each([
    // Found outside: answered 200 ignored, its results dropped in silence.
    [
      'legacy',
      { ...fixture('legacy-snapshot-success'), eventType: 'createSnapshotByTimeOffsetComplete' },
      'eventType: must be "CreateSnapshotByTimeOffsetComplete"',
    ],
    [
      'v3',
      { ...fixture('v3-snapshot-success'), EventType: 'CREATE_SNAPSHOT_BY_TIME_OFFSET_COMPLETE' },
      'EventType: must be "CreateSnapshotByTimeOffsetComplete"',
    ],
    [
      'v3',
      { ...fixture('v3-procedure-snapshot'), EventType: 'procedureStateChanged' },
      'EventType: must be "ProcedureStateChanged"',
    ],
  ])(
    'refuses in the %s format an event type with results but for case or spelling',
    (_, body, problem) => {
      expect(() => parseCallback(body)).toThrow(new InvalidCallbackError([problem]))
    },
  )

  it.each([
    ['null', null, ['body: must be a JSON object']],
    ['a string', 'CreateSnapshotByTimeOffsetComplete', ['body: must be a JSON object']],
    [
      'an object with no event type',
      { data: {} },
      ['eventType: must be a string (legacy format), or EventType for the v3.0 format'],
    ],
    [
      'an unknown version',
      { ...fixture('legacy-snapshot-failure'), version: '5.0' },
      ['version: the version must be "4.0" or 4'],
    ],
    [
      'a fractional time offset',
      {
        version: 4,
        eventType: 'CreateSnapshotByTimeOffsetComplete',
        data: {
          vodTaskId: 't',
          fileId: 'f',
          definition: 1,
          picInfo: [{ timeOffset: 1.5, status: 0 }],
        },
      },
      ['data.picInfo.0.timeOffset: the time offset must be a whole number of milliseconds'],
    ],
    [
      'a task ID over 2,048 bytes',
      {
        version: 4,
        eventType: 'CreateSnapshotByTimeOffsetComplete',
        data: { vodTaskId: 'é'.repeat(1025), fileId: 'f', definition: 1, picInfo: [] },
      },
      ['data.vodTaskId: the task ID must be at most 2048 bytes'],
    ],
    [
      'a v3.0 callback without SnapshotInfoSet',
      {
        EventType: 'CreateSnapshotByTimeOffsetComplete',
        SnapshotByTimeOffsetCompleteEvent: { TaskId: 't', FileId: 'f', Definition: 1 },
      },
      ['SnapshotByTimeOffsetCompleteEvent.SnapshotInfoSet: is required'],
    ],
    [
      'an empty v3.0 task flow: a task flow is checked whatever its subtasks',
      { EventType: 'ProcedureStateChanged', ProcedureStateChangeEvent: {} },
      ['ProcedureStateChangeEvent.TaskId: is required'],
    ],
  ])('rejects %s, naming each problem', (_, body, problems) => {
    expect(problemsOf(body)).toStrictEqual(problems)
  })
})
