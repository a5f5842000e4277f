import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { type AttributeValue, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb'
import { FAULT_SWITCH_PATH } from '../../lib/local/dynamodb-fault-switch'
import { freePort } from '../../lib/local/free-port'
import { localClient } from '../../lib/local/local-dynamodb'

/** The stack `npm start` starts, started by `npm start` itself, on ports of its own. */
export interface LocalStack {
  process: ChildProcess
  port: number
  dynamodbEndpoint: string
  sqsEndpoint: string
  /** Its VOD API stand-in. */
  vodEndpoint: string
  /** The ports `npm start` was given, as the variables it reads. */
  env: {
    PORT: string
    DYNAMODB_PORT: string
    SQS_PORT: string
    VOD_PORT: string
    TABLE_NAME: string
  }
  startupMs: number
  /** Everything the stack printed so far. */
  output(): string
  callbackUrl(token?: string): string
  /**
   * SIGTERM to npm, as a terminal or a supervisor would send it; resolves once npm has exited.
   * The stack's own processes end within a second after (see `stopAndWait`).
   */
  stop(): Promise<void>
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null

/** Every process started under `pid`, from the process table. */
export function descendantsOf(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
  const found: number[] = []
  for (let parents = [pid]; parents.length > 0; ) {
    parents = table.filter(([, ppid]) => parents.includes(ppid ?? -1)).map(([child]) => child ?? -1)
    found.push(...parents)
  }
  return found
}

/** Whether a process of that id still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Stops the stack and waits until every process it started has ended.
 * @returns the processes still alive after `timeoutMs` (none when the stack stops cleanly)
 */
export async function stopAndWait(stack: LocalStack, timeoutMs = 10_000): Promise<number[]> {
  const started = descendantsOf(stack.process.pid ?? -1)
  await stack.stop()
  const deadline = Date.now() + timeoutMs
  while (started.some(alive) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return started.filter(alive)
}

/**
 * Starts `npm start` with the given token and table, on ports of its own, and `env` (e.g.
 * `CALLBACK_SIGN_KEY`); resolves once it prints that it is ready. `faultSwitch` lets the test
 * make its DynamoDB fail (see {@link setDynamoDBFailing}).
 */
export async function startLocalStack(
  token: string,
  tableName: string,
  {
    faultSwitch = false,
    env: extraEnv = {},
  }: { faultSwitch?: boolean; env?: Record<string, string> } = {},
): Promise<LocalStack> {
  const port = await freePort()
  const dynamodbPort = await freePort()
  const sqsPort = await freePort()
  const vodPort = await freePort()
  const env = {
    PORT: String(port),
    DYNAMODB_PORT: String(dynamodbPort),
    SQS_PORT: String(sqsPort),
    VOD_PORT: String(vodPort),
    TABLE_NAME: tableName,
  }
  const started = performance.now()
  const child = spawn('npm', ['start'], {
    env: {
      ...process.env,
      ...env,
      CALLBACK_TOKEN: token,
      ...(faultSwitch ? { LOCAL_DYNAMODB_FAULT_SWITCH: 'on' } : {}),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 60 s:\n${output}`)), 60_000)
    child.stdout?.on('data', () => {
      if (output.includes('vod-snapshots is ready')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)))
  })
  return {
    process: child,
    port,
    dynamodbEndpoint: `http://127.0.0.1:${dynamodbPort}`,
    sqsEndpoint: `http://127.0.0.1:${sqsPort}`,
    vodEndpoint: `http://127.0.0.1:${vodPort}`,
    env,
    startupMs: performance.now() - started,
    output: () => output,
    callbackUrl: (t = token) => `http://127.0.0.1:${port}/vod/callback?token=${t}`,
    async stop() {
      if (!running(child)) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}

/** Makes the DynamoDB of a stack started with `faultSwitch` answer 500 to everything, or heal. */
export async function setDynamoDBFailing(stack: LocalStack, failing: boolean): Promise<void> {
  const response = await fetch(`${stack.dynamodbEndpoint}${FAULT_SWITCH_PATH}`, {
    method: failing ? 'POST' : 'DELETE',
  })
  const state = (await response.json()) as { failing?: boolean }
  if (!response.ok || state.failing !== failing) {
    throw new Error(`the fault switch did not turn ${failing ? 'on' : 'off'}`)
  }
}

/** Every item of one task, read from the table with a paginated Query. */
export async function itemsOf(
  endpoint: string,
  tableName: string,
  vodTaskId: string,
): Promise<Record<string, AttributeValue>[]> {
  const client = localClient(endpoint)
  const items: Record<string, AttributeValue>[] = []
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'vodTaskId = :id',
        ExpressionAttributeValues: { ':id': { S: vodTaskId } },
        ExclusiveStartKey,
      }),
    )
    items.push(...(page.Items ?? []))
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey)
  client.destroy()
  return items
}

/** How many items the whole table holds (a paginated COUNT scan). */
export async function countItems(endpoint: string, tableName: string): Promise<number> {
  const client = localClient(endpoint)
  let count = 0
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, Select: 'COUNT', ExclusiveStartKey }),
    )
    count += page.Count ?? 0
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey)
  client.destroy()
  return count
}

/**
 * `npm start` on free ports but for what `env` sets, until it exits by itself (a refused setting,
 * a port taken): its exit code and everything it printed.
 */
export async function npmStartUntilExit(env: Record<string, string>) {
  const child = spawn('npm', ['start'], {
    env: {
      ...process.env,
      ...{ PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()) },
      ...{ SQS_PORT: String(await freePort()), VOD_PORT: String(await freePort()) },
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const [code] = await once(child, 'exit')
  return { code, stdout, stderr }
}
