/**
 * Cold-start cost of a bundle: the time `await import(bundle)` takes in a fresh Node process,
 * measured inside the child (Node's own start-up is the same for every bundle and left out).
 */
import { execFile } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { median } from './stats'

const run = promisify(execFile)

const CHILD = `
const started = performance.now()
await import(process.env.BENCH_BUNDLE_URL)
console.log(JSON.stringify({ ms: performance.now() - started }))
`

export interface InitEnvironment {
  tableName: string
  callbackToken: string
  /** What the deployed function runs with (serverless.yml sets --enable-source-maps). */
  nodeOptions: string
}

/** Milliseconds one fresh process takes to import the bundle at `path`. */
async function importOnce(path: string, env: InitEnvironment): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
    // Only what the function is given: nothing of this shell leaks into the measurement.
    env: {
      PATH: process.env.PATH ?? '',
      BENCH_BUNDLE_URL: pathToFileURL(path).href,
      TABLE_NAME: env.tableName,
      CALLBACK_TOKEN: env.callbackToken,
      AWS_REGION: 'us-east-1',
      NODE_OPTIONS: env.nodeOptions,
    },
  })
  const { ms } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { ms: number }
  return ms
}

/**
 * Imports each bundle in `processes` fresh processes, one bundle after the other in every round
 * (the order rotating), and returns the median milliseconds by name.
 */
export async function measureInit(
  bundles: Record<string, string>,
  env: InitEnvironment,
  processes = 31,
): Promise<Record<string, number>> {
  const names = Object.keys(bundles)
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]))
  for (const name of names) await importOnce(bundles[name] as string, env)
  for (let round = 0; round < processes; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length] as string
      samples[name]?.push(await importOnce(bundles[name] as string, env))
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name] ?? [])]))
}
