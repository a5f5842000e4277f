/**
 * How storing scales with the number of results: the wall time of the real storeSnapshotResults
 * when every DynamoDB request takes 20 ms, for 100 and 1,000 results against 25 (one request).
 */
import type { SnapshotResult } from '../lib/events/snapshot-result'
import { storeSnapshotResults } from '../lib/store/snapshot-store'
import { median } from './stats'
import { stubDocumentClient, stubHandler } from './stub-dynamodb'

export const INJECTED_LATENCY_MS = 20

export interface ParallelFigures {
  /** Median wall milliseconds per store, by number of results. */
  ms: Record<number, number>
  ratio100: number
  ratio1000: number
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

/** Medians of `rounds` rounds; the order of the sizes rotates from round to round. */
export async function measureParallelStore(rounds = 9): Promise<ParallelFigures> {
  const stub = stubHandler(INJECTED_LATENCY_MS)
  const client = stubDocumentClient(stub)
  const sizes = [25, 100, 1000]
  const samples = new Map<number, number[]>(sizes.map((n) => [n, []]))
  const store = async (n: number) => {
    const sent = stub.requests
    const started = performance.now()
    const stored = await storeSnapshotResults(client, 'bench', resultsOf(n), '2026-11-24T00:00:00Z')
    const ms = performance.now() - started
    if (stored !== n || stub.requests - sent !== Math.ceil(n / 25)) {
      throw new Error(`storing ${n} results wrote ${stored} in ${stub.requests - sent} requests`)
    }
    return ms
  }
  for (const n of sizes) await store(n)
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < sizes.length; k++) {
      const n = sizes[(round + k) % sizes.length] as number
      samples.get(n)?.push(await store(n))
    }
  }
  const ms = Object.fromEntries(sizes.map((n) => [n, median(samples.get(n) ?? [])]))
  return {
    ms,
    ratio100: (ms[100] as number) / (ms[25] as number),
    ratio1000: (ms[1000] as number) / (ms[25] as number),
    rounds,
  }
}
