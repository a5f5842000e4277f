import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandInput,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import type { AwsClientStub } from 'aws-sdk-client-mock'

type ClientStub = AwsClientStub<DynamoDBClient>

/**
 * A BatchWriteItem request as it was sent, but with every put's item unmarshalled: the whole
 * request can be compared, and its items read as the domain items they stand for.
 */
export function readableBatch(input: BatchWriteItemCommandInput | undefined) {
  if (input === undefined) return undefined
  const tables = Object.entries(input.RequestItems ?? {}).map(([table, writes]) => [
    table,
    writes.map(({ PutRequest, ...write }) =>
      PutRequest
        ? { ...write, PutRequest: { ...PutRequest, Item: unmarshall(PutRequest.Item ?? {}) } }
        : write,
    ),
  ])
  return { ...input, RequestItems: Object.fromEntries(tables) }
}

/** The items of a mocked client's BatchWriteItem calls, unmarshalled, one array per call. */
export function putsSent(ddb: ClientStub, table: string): Record<string, unknown>[][] {
  return ddb
    .commandCalls(BatchWriteItemCommand)
    .map((call) =>
      (call.args[0].input.RequestItems?.[table] ?? []).map((request) =>
        unmarshall(request.PutRequest?.Item as Record<string, AttributeValue>),
      ),
    )
}

/**
 * The items a mocked client was asked to write, unmarshalled, in the order sent: each put's item,
 * then each merge (UpdateItem) as the item it sets (its key and every attribute of its SET).
 */
export function writtenItems(ddb: ClientStub, table: string): Record<string, unknown>[] {
  const puts = putsSent(ddb, table).flat()
  const merges = ddb.commandCalls(UpdateItemCommand).map((call) => {
    const {
      Key = {},
      UpdateExpression = '',
      ExpressionAttributeNames = {},
      ExpressionAttributeValues = {},
    } = call.args[0].input
    const item: Record<string, AttributeValue> = { ...Key }
    // `#a = :a`, or `#a = if_not_exists(#a, :a)` (the item's value where none is stored).
    for (const assignment of UpdateExpression.replace(/^SET /, '').split(/, (?![^(]*\))/)) {
      const [name = '', set = ''] = assignment.split(' = ')
      const value = /^if_not_exists\([^,]+, (:\w+)\)$/.exec(set)?.[1] ?? set
      const attribute = ExpressionAttributeValues[value]
      if (attribute === undefined) throw new Error(`${value} of "${assignment}" has no value`)
      item[ExpressionAttributeNames[name] ?? name] = attribute
    }
    return unmarshall(item)
  })
  return [...puts, ...merges]
}
