/**
 * Builds an entry the way `serverless package` does: the esbuild options are read from
 * serverless.yml's custom.esbuild each run, so the benchmark cannot drift from the deployment.
 */
import { readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BuildOptions, build, type Metafile } from 'esbuild'
import { parse } from 'yaml'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

// serverless-esbuild 1.57 deletes these before it calls esbuild (dist/bundle.js): its own options.
const PLUGIN_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
]

/** The part of serverless.yml the benchmark reads. */
interface ServerlessYml {
  custom?: { esbuild?: Record<string, unknown> & { exclude?: string[]; external?: string[] } }
  provider?: { environment?: Record<string, unknown> }
}

async function readServerlessYml(): Promise<ServerlessYml> {
  return parse(await readFile(join(ROOT, 'serverless.yml'), 'utf8'))
}

/** The esbuild options serverless-esbuild derives from custom.esbuild (exclude -> external). */
async function productionBuildOptions(): Promise<BuildOptions> {
  const custom = (await readServerlessYml()).custom?.esbuild
  if (!custom) throw new Error('serverless.yml has no custom.esbuild')
  const options: Record<string, unknown> = { ...custom }
  for (const key of PLUGIN_OPTIONS) delete options[key]
  const exclude: string[] = custom.exclude ?? ['aws-sdk']
  options.external = [...(custom.external ?? []), ...(exclude.includes('*') ? [] : exclude)]
  return options as BuildOptions
}

/** The NODE_OPTIONS the deployed function runs with (provider.environment). */
export async function productionNodeOptions(): Promise<string> {
  return String((await readServerlessYml()).provider?.environment?.NODE_OPTIONS ?? '')
}

export interface Bundle {
  path: string
  bytes: number
  metafile: Metafile
}

/** Bundles `entry` (relative to the project) into `outdir` and returns the code's size. */
export async function buildBundle(entry: string, outdir: string): Promise<Bundle> {
  const options = await productionBuildOptions()
  const result = await build({
    ...options,
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outdir,
    metafile: true,
    logLevel: 'error',
  })
  const extension = (options.outExtension?.['.js'] as string | undefined) ?? '.js'
  const path = join(outdir, basename(entry).replace(/\.ts$/, extension))
  return { path, bytes: (await stat(path)).size, metafile: result.metafile }
}

/** Output bytes by package (or `project` for own files), largest first. */
export function bytesByPackage(metafile: Metafile): [string, number][] {
  const totals = new Map<string, number>()
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)
      const name = match?.[1] ?? 'project'
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput)
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1])
}
