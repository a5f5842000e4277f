/**
 * A typical implementation of the same job, as tutorials build it: middy with its JSON body
 * parser, the validator (ajv, a JSON schema of the callback) and the error handler, zod for the
 * two VOD formats, the aggregated `DynamoDB` client and lib-dynamodb's `DynamoDBDocument`.
 * Only bundled and imported: the reference for the cold start.
 */
import { DynamoDB } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb'
import middy from '@middy/core'
import httpErrorHandler from '@middy/http-error-handler'
import httpJsonBodyParser from '@middy/http-json-body-parser'
import { createError } from '@middy/util'
import validator from '@middy/validator'
import { transpileSchema } from '@middy/validator/transpile'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { type Callback, CallbackSchema, eventSchema, SNAPSHOT } from './schema'

const tableName = process.env.TABLE_NAME ?? ''
const tokens = (process.env.CALLBACK_TOKEN ?? '').split(',')

const itemsOf = (callback: Callback) => {
  if ('data' in callback) {
    const { vodTaskId, fileId, definition, picInfo } = callback.data
    return picInfo.map((p) => ({ vodTaskId, fileId, definition, ...p, url: p.url ?? undefined }))
  }
  const { TaskId, FileId, Definition, SnapshotInfoSet } = callback.SnapshotByTimeOffsetCompleteEvent
  return SnapshotInfoSet.map((s) => ({
    vodTaskId: TaskId,
    fileId: FileId,
    definition: Definition,
    timeOffset: s.TimeOffset,
    status: s.ErrCode,
    url: s.Url ?? undefined,
  }))
}

/** The handler over any document client (the benchmark's check gives it a stubbed one). */
export function createTypicalHandler(dynamodb: DynamoDBDocument) {
  async function store(event: APIGatewayProxyEventV2) {
    if (!tokens.includes(event.queryStringParameters?.token ?? '')) {
      throw createError(401, 'Unauthorized')
    }
    // http-json-body-parser has replaced the text with the parsed object.
    const body = event.body as unknown as Record<string, unknown>
    const type = body.EventType ?? body.eventType
    if (type !== SNAPSHOT) {
      return { statusCode: 200, body: JSON.stringify({ code: 0, ignored: type }) }
    }
    const receivedAt = new Date().toISOString()
    const parsed = CallbackSchema.safeParse(body)
    if (!parsed.success) throw createError(422, JSON.stringify(parsed.error.flatten()))
    const items = itemsOf(parsed.data)
    const chunks = []
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25))
    await Promise.all(
      chunks.map((chunk) =>
        dynamodb.batchWrite({
          RequestItems: {
            [tableName]: chunk.map((Item) => ({
              PutRequest: { Item: { ...Item, eventType: SNAPSHOT, receivedAt } },
            })),
          },
        }),
      ),
    )
    return { statusCode: 200, body: JSON.stringify({ code: 0, stored: items.length }) }
  }

  return middy<APIGatewayProxyEventV2>()
    .use(httpErrorHandler())
    .use(httpJsonBodyParser({ disableContentTypeCheck: true }))
    .use(validator({ eventSchema: transpileSchema(eventSchema) }))
    .handler(store)
}

export const handler = createTypicalHandler(
  DynamoDBDocument.from(new DynamoDB({}), { marshallOptions: { removeUndefinedValues: true } }),
)
