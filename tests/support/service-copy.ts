import { execFile } from 'node:child_process'
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
// What a packaging does not need, or writes itself.
const NOT_COPIED = /^(node_modules|\.git|\.serverless.*|\.esbuild|coverage)$/

/**
 * Runs `run` in a throwaway copy of the service (its node_modules linked), then removes it.
 * `serverless package` builds in the service's .esbuild and .serverless folders: two packagings
 * of one folder at once (test files run in parallel) delete each other's zips.
 */
async function inServiceCopy<T>(run: (dir: string) => Promise<T>): Promise<T> {
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

/** A failed packaging: serverless's exit code, and everything it printed (its errors go to stdout). */
export class PackageFailure extends Error {
  constructor(
    readonly code: number,
    readonly output: string,
  ) {
    super(`serverless package exited ${code}\n${output}`)
  }
}

/**
 * Runs `serverless package <args> --package <output>` in a copy of the service, as a deployer
 * would: without AWS credentials or config (this shell's AWS_* left out, `omit` too), with `env`
 * added. Rejects with a {@link PackageFailure}.
 */
export async function packageService(
  args: readonly string[],
  output: string,
  { env = {}, omit = [] }: { env?: Record<string, string>; omit?: readonly string[] } = {},
): Promise<void> {
  const childEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('AWS_') && !omit.includes(name),
    ),
  )
  Object.assign(childEnv, env, {
    AWS_SHARED_CREDENTIALS_FILE: join(output, 'none'),
    AWS_CONFIG_FILE: join(output, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
  })
  const serverless = join('node_modules', 'serverless', 'bin', 'serverless.js')
  // In a copy: another test file may be packaging the service at the same time.
  await inServiceCopy((service) =>
    promisify(execFile)(process.execPath, [serverless, 'package', ...args, '--package', output], {
      cwd: service,
      env: childEnv,
      maxBuffer: 16 * 1024 * 1024,
    }),
  ).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
    throw new PackageFailure(error.code ?? 1, `${error.stdout ?? ''}${error.stderr ?? ''}`)
  })
}
