import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import type { AwsClientStub } from 'aws-sdk-client-mock'

type DocumentStub = AwsClientStub<DynamoDBDocumentClient>

/**
 * The items a mocked document client was asked to write, in the order sent: each put's item,
 * then each merge (UpdateItem) as the item it sets (its key and every attribute of its SET).
 */
export function writtenItems(ddb: DocumentStub, table: string): Record<string, unknown>[] {
  const puts = ddb
    .commandCalls(BatchWriteCommand)
    .flatMap((call) => call.args[0].input.RequestItems?.[table] ?? [])
    .map((request) => request.PutRequest?.Item as Record<string, unknown>)
  const merges = ddb.commandCalls(UpdateCommand).map((call) => {
    const {
      Key,
      UpdateExpression = '',
      ExpressionAttributeNames = {},
      ExpressionAttributeValues = {},
    } = call.args[0].input
    const item: Record<string, unknown> = { ...Key }
    for (const assignment of UpdateExpression.replace(/^SET /, '').split(', ')) {
      const [name = '', value = ''] = assignment.split(' = ')
      item[ExpressionAttributeNames[name] ?? name] = ExpressionAttributeValues[value]
    }
    return item
  })
  return [...puts, ...merges]
}
