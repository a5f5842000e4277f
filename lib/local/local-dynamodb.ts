import type { AddressInfo } from 'node:net'
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import dynalite from 'dynalite'
import { LOCAL_CREDENTIALS } from '../runtime/local-defaults'
import { installFaultSwitch } from './dynamodb-fault-switch'
import { readServiceDefinition } from './service-definition'

/**
 * The table's CreateTable input, read from the `SnapshotsTable` resource (resources/storage.yml), so
 * the local table and the deployed one come from one definition. Only what CreateTable takes
 * is kept (point-in-time recovery and deletion protection are account-side settings).
 */
async function readTableDefinition(tableName: string): Promise<CreateTableCommandInput> {
  const service = await readServiceDefinition()
  const table = service.resources.Resources.SnapshotsTable?.Properties as
    | Omit<CreateTableCommandInput, 'TableName'>
    | undefined
  if (!table) throw new Error('serverless.yml has no SnapshotsTable resource')
  const { AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode } = table
  return {
    TableName: tableName,
    AttributeDefinitions,
    KeySchema,
    GlobalSecondaryIndexes,
    BillingMode,
  }
}

/** A DynamoDB client for a local endpoint. */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS })
}

/** Creates the snapshots table and waits until it is ACTIVE. */
export async function createSnapshotsTable(endpoint: string, tableName: string): Promise<void> {
  const client = localClient(endpoint)
  try {
    await client.send(new CreateTableCommand(await readTableDefinition(tableName)))
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName })
  } finally {
    client.destroy()
  }
}

export interface LocalDynamoDB {
  endpoint: string
  port: number
  close(): Promise<void>
}

/**
 * Starts dynalite in this process, in memory, on `port` (0: any free port); with `faultSwitch`,
 * behind the switch the tests use to make it fail (see {@link installFaultSwitch}).
 */
export async function startDynalite(
  port = 0,
  host = '127.0.0.1',
  { faultSwitch = false } = {},
): Promise<LocalDynamoDB> {
  // Tables are ACTIVE at once instead of after dynalite's default 500 ms.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  if (faultSwitch) installFaultSwitch(server)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const actualPort = (server.address() as AddressInfo).port
  return {
    endpoint: `http://${host}:${actualPort}`,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
