/**
 * Where a callback's CPU goes, phase by phase, for the project and the floor, so that a
 * regression in `handler_overhead_ratio_*` shows where it is. Each phase runs on its own, on the
 * same body, in rotating rounds as measure-cpu does:
 * - parse: the body's text to JSON (the project's parseBodyText, the floor's JSON.parse);
 * - validate: recognising and validating the event into results (the floor does none);
 * - build: the results into write requests with their AttributeValues (collapse included);
 * - send: serialising and signing those requests on each side's client, on the stubbed DynamoDB;
 * - rest: the whole handler, measured in the same rounds, less the four: middleware, token check,
 *   logs, metrics, the answer.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { legacyCallbackWith } from '../tests/support/fixtures'
import { callbackEvent } from '../tests/support/http-event'
import { BENCH_TOKEN, bundledSides, loadSides, muted } from './measure-cpu'
import { median } from './stats'

const TABLE = 'vod-snapshots-bench'
const RECEIVED_AT = '2026-12-04T00:00:00.000Z'

export const PHASES = ['parse', 'validate', 'build', 'send', 'rest', 'whole'] as const
type Phase = (typeof PHASES)[number]
export type PhaseFigures = Record<'project' | 'floor', Record<Phase, number>>

type Step = () => unknown
// Each timed on its own; `rest` is what they leave of `whole`.
type MeasuredPhase = Exclude<Phase, 'rest' | 'whole'>

type Sides = Awaited<ReturnType<typeof bundledSides>>

/** The project's steps, each the code the handler runs (from the same bundle), on `text`. */
function projectSteps(
  {
    parseBodyText,
    parseCallback,
    planWrites,
    snapshotItemsOf,
    BatchWriteItemCommand,
    beforeDeadline,
    deadlineIn,
  }: Sides,
  text: string,
  client: DynamoDBClient,
): Record<MeasuredPhase, Step> {
  const body = parseBodyText(text)
  const callback = parseCallback(body)
  if (callback.kind !== 'snapshots') throw new Error('the bench body stores nothing')
  const { batches } = planWrites(snapshotItemsOf(callback.results, RECEIVED_AT))
  // The deadline as answer-callback.ts makes it: a timer and a promise each send races, no signal.
  const deadline = deadlineIn(3_600_000)
  return {
    parse: () => parseBodyText(text),
    validate: () => parseCallback(body),
    build: () => planWrites(snapshotItemsOf(callback.results, RECEIVED_AT)),
    // As the store sends them: each batch raced against the deadline.
    send: () =>
      Promise.all(
        batches.map((batch) =>
          beforeDeadline(
            client.send(
              new BatchWriteItemCommand({
                RequestItems: { [TABLE]: batch.map((put) => put.request) },
              }),
            ),
            deadline,
          ),
        ),
      ),
  }
}

function floorSteps(
  { parseFloorBody, floorWrites, sendFloorWrites }: Sides,
  text: string,
  client: DynamoDBClient,
): Record<MeasuredPhase, Step> {
  const body = parseFloorBody(text)
  const writes = floorWrites(body, RECEIVED_AT)
  return {
    parse: () => parseFloorBody(text),
    validate: () => undefined,
    build: () => floorWrites(body, RECEIVED_AT),
    send: () => sendFloorWrites(client, TABLE, writes),
  }
}

/** µs of CPU per run of `step`, over `count` runs. */
async function cpuPerRun(step: Step, count: number): Promise<number> {
  const before = process.cpuUsage()
  for (let i = 0; i < count; i++) await step()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / count
}

/**
 * Medians of each phase for a 2017 event of `n` results; `whole` is measure-cpu's µs per
 * callback of each side, from which `rest` is what the four phases leave.
 */
export async function measurePhases(
  n: number,
  { rounds = 11, batchMs = 60 }: { rounds?: number; batchMs?: number } = {},
): Promise<PhaseFigures> {
  const text = JSON.stringify(legacyCallbackWith(n))
  const sides = await loadSides()
  const bundle = await bundledSides()
  const { stubClient, stubHandler, stubProjectClient } = bundle
  const event = callbackEvent(text, { token: BENCH_TOKEN })
  const steps = {
    project: {
      ...projectSteps(bundle, text, stubProjectClient(stubHandler())),
      whole: () => sides.project.invoke({ ...event }),
    },
    floor: {
      ...floorSteps(bundle, text, stubClient(stubHandler())),
      whole: () => sides.floor.invoke({ ...event }),
    },
  }
  const runs: { side: 'project' | 'floor'; phase: Exclude<Phase, 'rest'>; step: Step }[] = []
  for (const side of ['project', 'floor'] as const) {
    for (const [phase, step] of Object.entries(steps[side])) {
      runs.push({ side, phase: phase as Exclude<Phase, 'rest'>, step })
    }
  }
  // The handlers log as in production; their lines are not written (see measure-cpu).
  const samples = await muted(async () => {
    // Each run is sized to about `batchMs` of CPU after a warm-up.
    const iterations = new Map<Step, number>()
    for (const { step } of runs) {
      const warm = await cpuPerRun(step, Math.max(20, Math.ceil(20_000 / n)))
      iterations.set(step, Math.max(3, Math.round((batchMs * 1000) / Math.max(warm, 0.05))))
    }
    const samples = new Map<Step, number[]>(runs.map(({ step }) => [step, []]))
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < runs.length; k++) {
        const { step } = runs[(round + k) % runs.length] as (typeof runs)[number]
        samples.get(step)?.push(await cpuPerRun(step, iterations.get(step) ?? 3))
      }
    }
    return samples
  })
  const figures = { project: {}, floor: {} } as PhaseFigures &
    Record<string, Record<string, number>>
  for (const { side, phase, step } of runs) figures[side][phase] = median(samples.get(step) ?? [])
  for (const side of ['project', 'floor'] as const) {
    const { parse, validate, build, send, whole = 0 } = figures[side] as Record<string, number>
    figures[side].rest = whole - (parse ?? 0) - (validate ?? 0) - (build ?? 0) - (send ?? 0)
  }
  return figures
}
