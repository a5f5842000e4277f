import { cp, mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
// What a packaging does not need, or writes itself.
const NOT_COPIED = /^(node_modules|\.git|\.serverless.*|\.esbuild|coverage)$/

/**
 * Runs `run` in a throwaway copy of the service (its node_modules linked), then removes it.
 * `serverless package` builds in the service's .esbuild and .serverless folders: two packagings
 * of one folder at once (test files run in parallel) delete each other's zips.
 */
export async function inServiceCopy<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const service = await mkdtemp(join(tmpdir(), 'vod-snapshots-service-'))
  try {
    await cp(REPO_ROOT, service, {
      recursive: true,
      filter: (source) => !NOT_COPIED.test(source.slice(REPO_ROOT.length).split('/')[0] ?? ''),
    })
    await symlink(join(REPO_ROOT, 'node_modules'), join(service, 'node_modules'))
    return await run(service)
  } finally {
    await rm(service, { recursive: true, force: true })
  }
}
