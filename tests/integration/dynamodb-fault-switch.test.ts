import { ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { afterEach, describe, expect, it } from 'vitest'
import { FAULT_SWITCH_PATH } from '../../lib/local/dynamodb-fault-switch'
import { type LocalDynamoDB, localClient, startDynalite } from '../../lib/local/local-dynamodb'

let dynamodb: LocalDynamoDB | undefined

afterEach(async () => {
  await dynamodb?.close()
  dynamodb = undefined
})

const flip = async (method: 'POST' | 'DELETE') => {
  const response = await fetch(`${dynamodb?.endpoint}${FAULT_SWITCH_PATH}`, { method })
  return { status: response.status, body: await response.text() }
}

/** ListTables through the SDK with its retries off: what DynamoDB answered, or the error. */
async function listTables() {
  const client = localClient(dynamodb?.endpoint ?? '')
  client.config.maxAttempts = async () => 1
  try {
    return { tables: (await client.send(new ListTablesCommand({}))).TableNames }
  } catch (error) {
    const { name, message, $metadata } = error as Error & { $metadata: { httpStatusCode: number } }
    return { name, message, status: $metadata.httpStatusCode }
  } finally {
    client.destroy()
  }
}

describe("the local DynamoDB's fault switch", () => {
  it('answers every DynamoDB request 500 InternalServerError while on, and serves again once off', async () => {
    dynamodb = await startDynalite(0, '127.0.0.1', { faultSwitch: true })
    expect(await listTables()).toStrictEqual({ tables: [] })

    expect(await flip('POST')).toStrictEqual({ status: 200, body: '{"failing":true}' })
    expect(await listTables()).toStrictEqual({
      name: 'InternalServerError',
      message: 'The local fault switch is on',
      status: 500,
    })

    expect(await flip('DELETE')).toStrictEqual({ status: 200, body: '{"failing":false}' })
    expect(await listTables()).toStrictEqual({ tables: [] })
  })

  it('does not exist unless asked for', async () => {
    dynamodb = await startDynalite()
    expect((await flip('POST')).body).not.toContain('failing')
    expect(await listTables()).toStrictEqual({ tables: [] })
  })
})
