import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { type AttributeValue, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb'
import { freePort } from '../../scripts/free-port'
import { localClient } from '../../scripts/local-dynamodb'

/** The stack `npm start` starts, started by `npm start` itself, on ports of its own. */
export interface LocalStack {
  process: ChildProcess
  port: number
  dynamodbEndpoint: string
  startupMs: number
  /** Everything the stack printed so far. */
  output(): string
  callbackUrl(token?: string): string
  /** SIGTERM to npm, as a terminal or a supervisor would send it. */
  stop(): Promise<void>
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null

/** Starts `npm start` with the given token and table; resolves once it prints that it is ready. */
export async function startLocalStack(token: string, tableName: string): Promise<LocalStack> {
  const port = await freePort()
  const dynamodbPort = await freePort()
  const started = performance.now()
  const child = spawn('npm', ['start'], {
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamodbPort),
      CALLBACK_TOKEN: token,
      TABLE_NAME: tableName,
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
