/**
 * `npm run bench`: this project against a floor and a typical implementation, measured in the
 * same run. Prints a table and rewrites bench/results.json (committed: the latest figures).
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_READ_BODY_BYTES } from '../lib/receive/answer-callback'
import { buildBundle, bytesByPackage, productionNodeOptions, ROOT } from './bundle'
import { measureE2e } from './e2e-load'
import { BENCH_TABLE, BENCH_TOKEN, type CpuRun, measureHandlerCpuApart } from './measure-cpu'
import { measureInit } from './measure-init'
import { INJECTED_LATENCY_MS, measureParallelStore } from './measure-parallel'
import { measurePhases, PHASES, type PhaseFigures } from './measure-phases'
import { measureReconcileApart, RECONCILE_TASKS } from './measure-reconcile'
import { measureReject } from './measure-reject'
import { round } from './stats'
import { judge, table } from './targets'

const step = (name: string) => console.error(`bench: ${name}...`)
const roundAll = (values: Record<string | number, number>) =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, round(value, 2)]))
const roundPhases = (figures: PhaseFigures) => ({
  project: roundAll(figures.project),
  floor: roundAll(figures.floor),
})
/** µs per phase, project beside floor, for each size: where the overhead ratio comes from. */
function phaseTable(bySize: Record<string, PhaseFigures>): string {
  const header = ['µs per callback'.padEnd(15), ...PHASES.map((cell) => cell.padStart(9))]
  const rows = Object.entries(bySize).flatMap(([size, figures]) =>
    (['project', 'floor'] as const).map((side) => [
      `${size} ${side}`.padEnd(15),
      ...PHASES.map((phase) => figures[side][phase].toFixed(1).padStart(9)),
    ]),
  )
  return [header, ...rows].map((row) => row.join(' ')).join('\n')
}
/** Processes the CPU ratios are measured in; their medians are the figures. */
const CPU_PROCESSES = 3
/**
 * One CPU figure over the processes: the process whose ratio is the median (the count is odd),
 * with its µs for each side, so that the µs shown give the ratio shown.
 */
function medianCpu(runs: CpuRun[], key: keyof CpuRun) {
  const byRatio = [...runs].sort((a, b) => a[key].ratio - b[key].ratio)
  const middle = byRatio[Math.floor(byRatio.length / 2)] as CpuRun
  return {
    ratio: middle[key].ratio,
    us: middle[key].us,
    // Each process's ratio, for the record.
    ratios: runs.map((run) => round(run[key].ratio)),
  }
}
const began = performance.now()
const machine = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadavg_at_start: loadavg().map((load) => round(load, 2)),
  date: new Date().toISOString(),
}
// Which code was measured: the commit, and the measured files that differ from it.
const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim()
const code = {
  commit: git('rev-parse', '--short', 'HEAD'),
  uncommitted: git(
    'status',
    '--porcelain',
    'handlers',
    'lib',
    'serverless.yml',
    'package-lock.json',
  )
    .split('\n')
    .filter(Boolean),
}

const dir = await mkdtemp(join(tmpdir(), 'vod-snapshots-bench-'))
try {
  step('bundling with the esbuild options of serverless.yml')
  const project = await buildBundle('handlers/callback.ts', join(dir, 'project'))
  const floor = await buildBundle('bench/floor/handler.ts', join(dir, 'floor'))
  const typical = await buildBundle('bench/typical/handler.ts', join(dir, 'typical'))

  step(`CPU per callback, handler vs floor, in ${CPU_PROCESSES} fresh processes`)
  const cpuRuns = await measureHandlerCpuApart(CPU_PROCESSES)
  const cpu25 = medianCpu(cpuRuns, 'n25')
  const cpu1000 = medianCpu(cpuRuns, 'n1000')
  const procedure1000 = medianCpu(cpuRuns, 'procedure1000')

  step('CPU per phase, handler vs floor')
  const phases25 = await measurePhases(25)
  const phases1000 = await measurePhases(1000)

  step(`storing 100 / 1,000 results with ${INJECTED_LATENCY_MS} ms and 0 ms per request`)
  const parallel = await measureParallelStore()

  step('rejecting the most expensive hostile bodies up to 1 MB, and up to 6 MB with a SignKey')
  const reject = await measureReject()
  // With a SignKey a body is read up to what Lambda passes before its signature is checked; none
  // of these carries one, so each must be refused 401 (anything else measures another path).
  const rejectSigned = await measureReject({
    rounds: 4,
    bytes: MAX_READ_BODY_BYTES,
    signKey: 'BenchSignKey0123456789',
  })
  const answered = new Set(Object.values(rejectSigned.statuses))
  if (answered.size !== 1 || !answered.has(401)) {
    throw new Error(`unsigned bodies with a SignKey: ${JSON.stringify(rejectSigned.statuses)}`)
  }

  step('importing each bundle in fresh processes')
  const nodeOptions = await productionNodeOptions()
  const init = await measureInit(
    { project: project.path, floor: floor.path, typical: typical.path },
    { tableName: BENCH_TABLE, callbackToken: BENCH_TOKEN, nodeOptions },
  )

  step(`reconciling ${RECONCILE_TASKS} tasks from the VOD stand-in (20 ms a call, 100/s)`)
  const reconciled = await measureReconcileApart()

  step('load on the local stack (npm start)')
  const e2e = await measureE2e()

  const figures: Record<string, number> = {
    handler_overhead_ratio_n25: round(cpu25.ratio),
    handler_overhead_ratio_n1000: round(cpu1000.ratio),
    handler_us_n25: round(cpu25.us.project, 1),
    handler_us_n1000: round(cpu1000.us.project, 1),
    procedure_overhead_ratio_n1000: round(procedure1000.ratio),
    procedure_us_n1000: round(procedure1000.us.project, 1),
    bundle_bytes: project.bytes,
    bundle_ratio_floor: round(project.bytes / floor.bytes),
    init_ratio_floor: round((init.project as number) / (init.floor as number)),
    init_ratio_typical: round((init.project as number) / (init.typical as number)),
    parallel_efficiency_n100: round(parallel.efficiency[100] as number),
    parallel_efficiency_n1000: round(parallel.efficiency[1000] as number),
    reject_worst_ms: round(reject.worstMs, 1),
    reject_worst_signed_ms: round(rejectSigned.worstMs, 1),
    // The same worst body's JSON.parse alone, in the same run: what any reader of it pays.
    reject_worst_signed_ratio_parse: round(
      rejectSigned.worstMs / (rejectSigned.parseMs[rejectSigned.worst] ?? Number.NaN),
      3,
    ),
    e2e_callbacks_per_s: round(e2e.callbacksPerSecond, 1),
    e2e_p99_ms: e2e.p99Ms,
    e2e_errors: e2e.errors,
    e2e_stored_items: e2e.storedItems,
    e2e_expected_items: e2e.expectedItems,
    // Fewer stored than sent: a Lambda error served as 200; more: items from elsewhere. Both fail.
    e2e_item_difference: Math.abs(e2e.storedItems - e2e.expectedItems),
    reconcile_tasks_per_s: round(reconciled.tasksPerSecond, 1),
    reconcile_unfinished: reconciled.unfinished,
    reconcile_rate_limited: reconciled.rateLimited,
    reconcile_peak_rss_mb: round(reconciled.peakRssMb, 0),
  }
  const targets = judge(figures)
  const details = {
    floor_us_n25: round(cpu25.us.floor, 1),
    floor_us_n1000: round(cpu1000.us.floor, 1),
    typical_us_n25: round(cpu25.us.typical, 1),
    typical_us_n1000: round(cpu1000.us.typical, 1),
    phases_us: { n25: roundPhases(phases25), n1000: roundPhases(phases1000) },
    cpu_ratios_by_process: {
      n25: cpu25.ratios,
      n1000: cpu1000.ratios,
      procedure_n1000: procedure1000.ratios,
    },
    cpu_rounds: cpuRuns.map((run) => run.n25.rounds),
    cpu_iterations: cpuRuns.map((run) => ({
      n25: run.n25.iterations,
      n1000: run.n1000.iterations,
    })),
    bundle_bytes: { project: project.bytes, floor: floor.bytes, typical: typical.bytes },
    bundle_top_packages: bytesByPackage(project.metafile).slice(0, 10),
    reject: {
      worst: reject.worst,
      ms: Object.fromEntries(Object.entries(reject.ms).map(([name, ms]) => [name, round(ms, 1)])),
      json_parse_alone_ms: Object.fromEntries(
        Object.entries(reject.parseMs).map(([name, ms]) => [name, round(ms, 1)]),
      ),
      statuses: reject.statuses,
    },
    reject_signed: {
      worst: rejectSigned.worst,
      ms: roundAll(rejectSigned.ms),
      json_parse_alone_ms: roundAll(rejectSigned.parseMs),
    },
    init_ms: Object.fromEntries(Object.entries(init).map(([name, ms]) => [name, round(ms, 2)])),
    init_node_options: nodeOptions,
    parallel_ms: roundAll(parallel.ms),
    parallel_cpu_ms: roundAll(parallel.cpuMs),
    e2e: {
      ...e2e,
      callbacksPerSecond: round(e2e.callbacksPerSecond, 1),
      startupMs: round(e2e.startupMs, 0),
    },
    seconds: round((performance.now() - began) / 1000, 1),
  }
  const results = { machine, code, ...figures, targets, details }
  await writeFile(new URL('results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`)
  console.log(table(figures, targets))
  console.log(`\n${phaseTable({ n25: phases25, n1000: phases1000 })}`)
  const failed = Object.entries(targets).filter(([, verdict]) => !verdict.ok)
  console.log(
    `\n${failed.length === 0 ? 'every target met' : `${failed.length} target(s) missed: ${failed.map(([key]) => key).join(', ')}`} (${details.seconds} s, bench/results.json)`,
  )
} finally {
  await rm(dir, { recursive: true, force: true })
}
