import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { freePort } from '../../lib/local/free-port'

const require = createRequire(import.meta.url)
const module = (path: string) =>
  JSON.stringify(fileURLToPath(new URL(`../../${path}`, import.meta.url)))

describe('the store backing off in a command', () => {
  it('keeps the process alive until its last attempt, and reports what it could not write', async () => {
    // Nothing listens on the port: every request is refused at once, and the store backs off
    // with nothing else to keep the process alive (a CLI whose every write is waiting).
    const port = await freePort()
    const dir = await mkdtemp(join(tmpdir(), 'store-backoff-'))
    try {
      const script = join(dir, 'store.mts')
      await writeFile(
        script,
        `import { DynamoDBClient } from ${JSON.stringify(require.resolve('@aws-sdk/client-dynamodb'))}
import { operatorClientConfig } from ${module('lib/runtime/dynamodb-client.ts')}
import { storeSnapshotResults } from ${module('lib/store/snapshot-store.ts')}
// An operator command's client, without the SDK's own retries (whose timers keep a process alive).
const client = new DynamoDBClient({
  ...operatorClientConfig('http://127.0.0.1:${port}', {}),
  maxAttempts: 1,
})
const results = [{ vodTaskId: 't', fileId: 'f', definition: 10, timeOffset: 0, status: 0, url: 'http://vod.example/0.png' }]
try {
  await storeSnapshotResults(client, 'table', results, '2026-12-05T00:00:00.000Z', { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 400, random: () => 0.9 })
} catch (error) {
  console.log(error.name, error.unstored)
}
`,
      )
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
      })
      expect(stdout).toBe('SnapshotStoreError 1\n')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
