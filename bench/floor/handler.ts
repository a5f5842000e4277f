/**
 * The floor: the least code that stores a legacy callback's results as the project's items.
 * JSON.parse, the items built by hand as AttributeValues, BatchWriteItem in chunks of 25 sent at
 * once. No token check, no validation, no middleware, no retries: what every implementation pays.
 * Its steps are exported so that the bench can time each against the project's (measure-phases).
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'

export interface LegacyBody {
  eventType: string
  data: {
    vodTaskId: string
    fileId: string
    definition: number
    picInfo: { timeOffset: number; status: number; url?: string | null }[]
  }
}

/** The floor's parse: JSON.parse, trusted. */
export const parseFloorBody = (text: string) => JSON.parse(text) as LegacyBody

/** The floor's items: one PutRequest per picture, its AttributeValues written out. */
export function floorWrites({ eventType, data }: LegacyBody, receivedAt: string): WriteRequest[] {
  return data.picInfo.map((pic) => {
    const Item: Record<string, AttributeValue> = {
      vodTaskId: { S: data.vodTaskId },
      timeOffset: { N: String(pic.timeOffset) },
      fileId: { S: data.fileId },
      definition: { N: String(data.definition) },
      status: { N: String(pic.status) },
      eventType: { S: eventType },
      receivedAt: { S: receivedAt },
    }
    if (pic.url) Item.url = { S: pic.url }
    return { PutRequest: { Item } }
  })
}

/** The floor's sending: every chunk of 25 at once, no retry. */
export function sendFloorWrites(client: DynamoDBClient, tableName: string, writes: WriteRequest[]) {
  const sends: Promise<unknown>[] = []
  for (let i = 0; i < writes.length; i += 25) {
    const chunk = writes.slice(i, i + 25)
    sends.push(client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: chunk } })))
  }
  return Promise.all(sends)
}

/** The same handler over any client, so the CPU measurement can give it the stubbed one. */
export function createFloorHandler(client: DynamoDBClient, tableName: string) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const receivedAt = new Date().toISOString()
    const writes = floorWrites(parseFloorBody(event.body ?? ''), receivedAt)
    await sendFloorWrites(client, tableName, writes)
    return { statusCode: 200, body: JSON.stringify({ code: 0, stored: writes.length }) }
  }
}

export const handler = createFloorHandler(new DynamoDBClient({}), process.env.TABLE_NAME ?? '')
