/**
 * How well storing overlaps its requests: the wall time of the real storeSnapshotResults when
 * every DynamoDB request takes 20 ms, against the best any store of n results can do on this
 * machine, one round trip plus the CPU time of n results. That CPU time is measured in the same
 * run (the same store with requests answered at once), so a slower CPU raises both sides.
 */
import type { SnapshotResult } from '../lib/events/snapshot-result'
import { storeSnapshotResults } from '../lib/store/snapshot-store'
import { median } from './stats'
import { stubHandler, stubProjectClient } from './stub-dynamodb'

export const INJECTED_LATENCY_MS = 20
const PARALLEL_SIZES = [100, 1000] as const

export interface ParallelFigures {
  /** Median wall milliseconds per store with the injected round trip, by number of results. */
  ms: Record<number, number>
  /** Median milliseconds per store with requests answered at once: the CPU time of n results. */
  cpuMs: Record<number, number>
  /** ms ÷ (one round trip + cpuMs), by number of results: 1 is perfect overlap. */
  efficiency: Record<number, number>
  rounds: number
}

const resultsOf = (n: number): SnapshotResult[] =>
  Array.from({ length: n }, (_, i) => ({
    vodTaskId: `CreateSnapshotByTimeOffset-parallel-${n}`,
    fileId: '14508071098244929440',
    definition: 10,
    timeOffset: i * 1000,
    status: 0,
    url: `http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/${i}.png`,
  }))

/** A store on a stub answering after `latencyMs`; checks every batch really was sent. */
function storeOn(latencyMs: number) {
  const stub = stubHandler(latencyMs)
  const client = stubProjectClient(stub)
  return async (n: number) => {
    const sent = stub.requests
    const started = performance.now()
    const stored = await storeSnapshotResults(client, 'bench', resultsOf(n), '2026-11-24T00:00:00Z')
    const ms = performance.now() - started
    if (stored !== n || stub.requests - sent !== Math.ceil(n / 25)) {
      throw new Error(`storing ${n} results wrote ${stored} in ${stub.requests - sent} requests`)
    }
    return ms
  }
}

/** Medians of `rounds` rounds; sizes and both stubs alternate within every round. */
export async function measureParallelStore(rounds = 9): Promise<ParallelFigures> {
  const slow = storeOn(INJECTED_LATENCY_MS)
  const fast = storeOn(0)
  const runs = PARALLEL_SIZES.flatMap((n) => [
    { key: `ms:${n}`, store: () => slow(n) },
    { key: `cpu:${n}`, store: () => fast(n) },
  ])
  const samples = new Map<string, number[]>(runs.map(({ key }) => [key, []]))
  for (const { store } of runs) await store()
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < runs.length; k++) {
      const run = runs[(round + k) % runs.length] as (typeof runs)[number]
      samples.get(run.key)?.push(await run.store())
    }
  }
  const medianOf = (key: string) => median(samples.get(key) ?? [])
  const ms: Record<number, number> = {}
  const cpuMs: Record<number, number> = {}
  const efficiency: Record<number, number> = {}
  for (const n of PARALLEL_SIZES) {
    ms[n] = medianOf(`ms:${n}`)
    cpuMs[n] = medianOf(`cpu:${n}`)
    efficiency[n] = ms[n] / (INJECTED_LATENCY_MS + cpuMs[n])
  }
  return { ms, cpuMs, efficiency, rounds }
}
