import fc from 'fast-check'
import { storable } from './callback-arbitraries'
import type { ExpectedSnapshot } from './table-reads'

const PROCEDURE_EVENT = 'ProcedureStateChanged'
const SNAPSHOT = 'SnapshotByTimeOffset'

// Whole ms often repeat within a subtask; fractional ones as a "3.5s" or "10%" point gives them.
const offsets = fc.oneof(
  { arbitrary: fc.nat(4), weight: 2 },
  { arbitrary: fc.double({ min: 0.001, max: 1e9, noNaN: true }), weight: 2 },
  { arbitrary: fc.constantFrom(0, 0.5, 10000.5, Number.MAX_SAFE_INTEGER), weight: 1 },
)

// "Ns" points with an exact ms value, and percentage points that have none.
const extPoints = fc.oneof(
  fc.nat(10_000_000).map((ms) => ({
    text: `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}s`,
    ms: ms as number | undefined,
  })),
  fc.nat(100).map((percent) => ({ text: `${percent}%`, ms: undefined as number | undefined })),
)

const subtasks = fc.record({
  // A small pool: templates repeat, so the `#<n>` part of the key rule comes up.
  definition: fc.constantFrom(10, 20, 30),
  status: fc.constantFrom('SUCCESS', 'FAIL', 'PROCESSING'),
  errCode: fc.constantFrom(0, 60000, 70000, -46204),
  pictures: fc.array(
    fc.record({
      timeOffset: offsets,
      url: fc.option(fc.webUrl(), { nil: undefined }),
      watermarks: fc.array(fc.nat(2000), { maxLength: 2 }),
    }),
    { maxLength: 8 },
  ),
  requestedMs: fc.array(offsets, { maxLength: 4 }),
  requestedExt: fc.array(extPoints, { maxLength: 3 }),
})

type Subtask = typeof subtasks extends fc.Arbitrary<infer T> ? T : never

/** A valid task-flow body, the items it must leave (in key order) and its unkeyed failures. */
export interface GeneratedProcedure {
  format: 'legacy' | 'v3'
  body: Record<string, unknown>
  /** Empty when the task flow holds no snapshot subtask: it is then ignored. */
  snapshotSubtasks: number
  /**
   * Whether every result is `partial` (merged into its item, never written whole): the legacy
   * format lacks the session and watermark attributes. Never stored: `expected` has no such field.
   */
  partial: boolean
  expected: ExpectedSnapshot[]
}

function v3Body(g: Generated): Record<string, unknown> {
  const others = g.others.map((type) => ({ Type: type, [`${type}Task`]: { Status: 'SUCCESS' } }))
  const snapshots = g.subtasks.map((t) => ({
    Type: SNAPSHOT,
    SnapshotByTimeOffsetTask: {
      ...{ Status: t.status, ErrCodeExt: '', ErrCode: t.errCode, Message: '' },
      Input: {
        Definition: t.definition,
        TimeOffsetSet: t.requestedMs,
        ExtTimeOffsetSet: t.requestedExt.map((point) => point.text),
      },
      Output:
        t.status === 'PROCESSING'
          ? null
          : {
              Definition: t.definition,
              PicInfoSet: t.pictures.map((p) => ({
                ...{ TimeOffset: p.timeOffset, WaterMarkDefinition: p.watermarks },
                ...(p.url === undefined ? {} : { Url: p.url }),
              })),
            },
    },
  }))
  return {
    EventType: PROCEDURE_EVENT,
    ProcedureStateChangeEvent: {
      ...{ TaskId: g.taskId, Status: 'FINISH', FileId: g.fileId },
      ...{ SessionContext: g.sessionContext, SessionId: g.sessionId },
      MediaProcessResultSet: [...others, ...snapshots],
    },
  }
}

function legacyBody(g: Generated): Record<string, unknown> {
  const others = g.others.map((type) => ({ taskType: type, status: 'SUCCESS' }))
  const snapshots = g.subtasks.map((t) => ({
    ...{ taskType: SNAPSHOT, status: t.status, errCode: t.errCode, message: '' },
    input: { definition: t.definition, timeOffset: t.requestedMs },
    ...(t.status === 'PROCESSING'
      ? {}
      : {
          output: {
            imgInfo: t.pictures.map((p) => ({
              timeOffset: p.timeOffset,
              ...(p.url === undefined ? {} : { url: p.url }),
            })),
          },
        }),
  }))
  return {
    ...{ version: g.version, eventType: PROCEDURE_EVENT },
    data: {
      vodTaskId: g.taskId,
      status: 'FINISH',
      fileId: g.fileId,
      processTaskList: [...others, ...snapshots],
    },
  }
}

/**
 * docs/contract.md's key rule, worked out again from the definitions alone: every subtask is keyed
 * `<TaskId>#<definition>`, even the only one, and the n-th repeat (n ≥ 2) of a template
 * `<TaskId>#<definition>#<n>`, counted in list order.
 */
function keyOf(g: Generated, index: number): string {
  const definitions = g.subtasks.map((t) => t.definition)
  const definition = definitions[index] as number
  const n = definitions.slice(0, index + 1).filter((d) => d === definition).length
  return n === 1 ? `${g.taskId}#${definition}` : `${g.taskId}#${definition}#${n}`
}

/** docs/contract.md's FAIL rule and duplicate rule: per key, the last success, else the last entry. */
function expectedOf(g: Generated): ExpectedSnapshot[] {
  const kept = new Map<string, ExpectedSnapshot>()
  const keep = (shot: ExpectedSnapshot) => {
    const key = `${shot.vodTaskId}\u0000${shot.timeOffset}`
    const before = kept.get(key)
    if (before?.status !== 0 || shot.status === 0) kept.set(key, shot)
  }
  g.subtasks.forEach((t: Subtask, i) => {
    if (t.status === 'PROCESSING') return
    const shot = (timeOffset: number, status: number): ExpectedSnapshot => ({
      ...{ vodTaskId: keyOf(g, i), fileId: g.fileId, definition: t.definition },
      ...{ timeOffset, status, eventType: PROCEDURE_EVENT, procedureTaskId: g.taskId },
      ...(g.format === 'v3' && g.sessionContext ? { sessionContext: g.sessionContext } : {}),
      ...(g.format === 'v3' && g.sessionId ? { sessionId: g.sessionId } : {}),
    })
    if (t.status === 'FAIL') {
      const status = t.errCode === 0 ? -1 : t.errCode
      for (const ms of t.requestedMs) keep(shot(ms, status))
      if (g.format === 'v3') {
        for (const point of t.requestedExt) if (point.ms !== undefined) keep(shot(point.ms, status))
      }
    }
    for (const p of t.pictures) {
      const success = shot(p.timeOffset, 0)
      if (p.url) success.url = p.url
      if (g.format === 'v3' && p.watermarks.length > 0) success.watermarkDefinitions = p.watermarks
      keep(success)
    }
  })
  const order = (s: ExpectedSnapshot) => `${s.vodTaskId}\u0000${s.timeOffset}`
  return [...kept.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1))
}

const generated = fc.record({
  format: fc.constantFrom('legacy' as const, 'v3' as const),
  version: fc.constantFrom('4.0', 4),
  // A task ID holds no `#` (a callback's with one is refused): `#` builds the keys.
  taskId: fc.oneof(
    fc.stringMatching(/^1256768367-Procedure-[0-9a-f]{16}$/),
    fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
      .filter((id) => storable(id) && !id.includes('#')),
  ),
  fileId: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 20 }),
  sessionContext: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  sessionId: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  others: fc.array(fc.constantFrom('Transcode', 'CoverBySnapshot', 'SampleSnapshot'), {
    maxLength: 2,
  }),
  subtasks: fc.array(subtasks, { maxLength: 3 }),
})
type Generated = typeof generated extends fc.Arbitrary<infer T> ? T : never

export const validProcedures: fc.Arbitrary<GeneratedProcedure> = generated.map((g) => ({
  format: g.format,
  body: g.format === 'v3' ? v3Body(g) : legacyBody(g),
  snapshotSubtasks: g.subtasks.length,
  partial: g.format === 'legacy',
  expected: expectedOf(g),
}))
