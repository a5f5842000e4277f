/**
 * CPU time per callback through the real handler (middy, token check, validation, the DynamoDB
 * client, SigV4 signing) against the floor (bench/floor), both on the stubbed DynamoDB, alternated
 * in rounds so that the machine's noise falls on both alike. The typical implementation runs in
 * the same rounds, for information. All three run from one bundle built with serverless.yml's
 * esbuild options (bench/sides.ts): the code as Lambda runs it.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { legacyCallbackWith, procedureCallbackWith } from '../tests/support/fixtures'
import { callbackEvent, lambdaContext } from '../tests/support/http-event'
import { buildBundle, ROOT } from './bundle'
import { median } from './stats'

export const BENCH_TABLE = 'vod-snapshots-bench'
export const BENCH_TOKEN = 'bench-token-0123456789abcdef'

type Invoke = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>
export interface Side {
  invoke: Invoke
  requests: () => number
}
type Name = 'project' | 'floor' | 'typical'

interface CpuFigures {
  results: number
  /** Median µs of CPU per callback. */
  us: Record<Name, number>
  /** Median over the rounds of project ÷ floor. */
  ratio: number
  rounds: number
  iterations: number
}

type Sides = typeof import('./sides')
let built: Promise<Sides> | undefined

/**
 * bench/sides.ts built as serverless.yml builds a function, and imported once. The modules read
 * their configuration when they load: the environment comes first.
 */
export function bundledSides(): Promise<Sides> {
  process.env.TABLE_NAME = BENCH_TABLE
  process.env.CALLBACK_TOKEN = BENCH_TOKEN
  process.env.AWS_REGION ??= 'us-east-1'
  built ??= buildBundle('bench/sides.ts', join(ROOT, '.esbuild', 'bench')).then(
    ({ path }) => import(pathToFileURL(path).href) as Promise<Sides>,
  )
  return built
}

export async function loadSides(): Promise<Record<Name, Side>> {
  const {
    createCallbackHandler,
    createFloorHandler,
    createTypicalHandler,
    functionObservability,
    loadConfig,
    stubAggregatedDocument,
    stubClient,
    stubHandler,
    stubProjectClient,
  } = await bundledSides()
  const context = lambdaContext()
  const stubs = { project: stubHandler(), floor: stubHandler(), typical: stubHandler() }
  // Wired as in production (handlers/callback.ts): the request's keys on every log line, and
  // the metrics flushed once per invocation. Their output is muted while measuring (below).
  const project = createCallbackHandler({
    config: loadConfig(process.env),
    client: stubProjectClient(stubs.project),
    observability: [functionObservability],
  })
  const typical = createTypicalHandler(stubAggregatedDocument(stubs.typical))
  return {
    project: { invoke: (event) => project(event, context), requests: () => stubs.project.requests },
    floor: {
      invoke: createFloorHandler(stubClient(stubs.floor), BENCH_TABLE),
      requests: () => stubs.floor.requests,
    },
    typical: { invoke: (event) => typical(event, context), requests: () => stubs.typical.requests },
  }
}

/**
 * Runs `count` callbacks one after another (as Lambda does) and returns µs of CPU each. Log and
 * metric lines are formatted as in production but not written: a benchmark's stdout is not
 * CloudWatch.
 */
async function cpuPerCall({ invoke }: Side, event: APIGatewayProxyEventV2, count: number) {
  return muted(async () => {
    const before = process.cpuUsage()
    // A copy each time: the body parser replaces the event's body with the parsed object.
    for (let i = 0; i < count; i++) await invoke({ ...event })
    const used = process.cpuUsage(before)
    return (used.user + used.system) / count
  })
}

/** Runs `work` with stdout and stderr swallowed: the lines are formatted, not written. */
export async function muted<T>(work: () => Promise<T>): Promise<T> {
  const { stdout, stderr } = process
  const writes = [stdout.write, stderr.write]
  stdout.write = stderr.write = () => true
  try {
    return await work()
  } finally {
    ;[stdout.write, stderr.write] = writes as [typeof stdout.write, typeof stderr.write]
  }
}

// A benchmark of a failing path measures nothing: every side must store all results.
async function checkStores(name: string, side: Side, event: APIGatewayProxyEventV2, n: number) {
  const sent = side.requests()
  const answer = await muted(() => side.invoke({ ...event }))
  const requests = side.requests() - sent
  if (answer.statusCode !== 200 || JSON.parse(String(answer.body)).stored !== n) {
    throw new Error(`${name} did not store ${n} results: ${answer.statusCode} ${answer.body}`)
  }
  if (requests !== Math.ceil(n / 25)) throw new Error(`${name} sent ${requests} BatchWriteItem`)
}

/**
 * Medians of `rounds` rounds, each a batch of every side in rotating order. A batch is sized to
 * about `batchMs` of the project's CPU after a warm-up. `projectBody` gives the project another
 * body of `n` results (a task flow's) while the floor and the typical one keep the 2017 event's.
 */
async function measureHandlerCpu(
  n: number,
  {
    rounds = 21,
    batchMs = 150,
    projectBody,
  }: { rounds?: number; batchMs?: number; projectBody?: unknown } = {},
): Promise<CpuFigures> {
  const sides = await loadSides()
  const names = Object.keys(sides) as Name[]
  const legacy = callbackEvent(JSON.stringify(legacyCallbackWith(n)), { token: BENCH_TOKEN })
  const project = projectBody
    ? callbackEvent(JSON.stringify(projectBody), { token: BENCH_TOKEN })
    : legacy
  const eventOf = (name: Name) => (name === 'project' ? project : legacy)
  for (const name of names) await checkStores(name, sides[name], eventOf(name), n)

  const warmUp = Math.max(20, Math.ceil(20_000 / n))
  for (const name of names) await cpuPerCall(sides[name], eventOf(name), warmUp)
  const probe = await cpuPerCall(sides.project, project, warmUp)
  const iterations = Math.max(3, Math.round((batchMs * 1000) / probe))

  const samples: Record<Name, number[]> = { project: [], floor: [], typical: [] }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length] as Name
      samples[name].push(await cpuPerCall(sides[name], eventOf(name), iterations))
    }
  }
  return {
    results: n,
    us: {
      project: median(samples.project),
      floor: median(samples.floor),
      typical: median(samples.typical),
    },
    ratio: median(samples.project.map((us, i) => us / (samples.floor[i] as number))),
    rounds,
    iterations,
  }
}

/** The CPU figures of one process: 25 and 1,000 results of the 2017 event, 1,000 of a task flow. */
export interface CpuRun {
  n25: CpuFigures
  n1000: CpuFigures
  procedure1000: CpuFigures
}

async function measureCpuRun(): Promise<CpuRun> {
  return {
    n25: await measureHandlerCpu(25),
    n1000: await measureHandlerCpu(1000),
    procedure1000: await measureHandlerCpu(1000, { projectBody: procedureCallbackWith(1000) }),
  }
}

/**
 * {@link measureCpuRun} in `processes` fresh processes, one after another. How V8 compiles the
 * SDK's serialisation differs from one process to the next: at 25 results the floor took 402 to
 * 522 µs in different processes of the same code, while the rounds of one process agreed within
 * a few percent. One process is one draw of those choices, as one Lambda container is; the
 * figures are the medians over the processes (bench/run.ts), each process's kept beside them.
 */
export async function measureHandlerCpuApart(processes = 3): Promise<CpuRun[]> {
  const runs: CpuRun[] = []
  for (let i = 0; i < processes; i++) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url)],
      { maxBuffer: 1024 * 1024 },
    )
    runs.push(JSON.parse(stdout) as CpuRun)
  }
  return runs
}

if (import.meta.main) console.log(JSON.stringify(await measureCpuRun()))
