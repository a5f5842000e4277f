/**
 * The typical implementation's two descriptions of a callback: a JSON schema for the validator
 * middleware (ajv) and zod schemas for the two VOD formats.
 */
import { z } from 'zod'

export const SNAPSHOT = 'CreateSnapshotByTimeOffsetComplete'

const key = { type: 'string', minLength: 1, maxLength: 2048 }
const int = { type: 'integer' }
const offset = { type: 'integer', minimum: 0 }
const url = { type: ['string', 'null'], maxLength: 16_384 }
const results = (names: [string, string, string]) => ({
  type: 'array',
  items: {
    type: 'object',
    required: names.slice(0, 2),
    properties: { [names[0]]: offset, [names[1]]: int, [names[2]]: url },
  },
})
export const eventSchema = {
  type: 'object',
  required: ['body', 'queryStringParameters'],
  properties: {
    queryStringParameters: {
      type: 'object',
      required: ['token'],
      properties: { token: { type: 'string', minLength: 16 } },
    },
    body: {
      type: 'object',
      anyOf: [
        {
          required: ['eventType'],
          properties: {
            eventType: { type: 'string' },
            data: {
              type: 'object',
              required: ['vodTaskId', 'fileId', 'definition', 'picInfo'],
              properties: {
                vodTaskId: key,
                fileId: key,
                definition: int,
                picInfo: results(['timeOffset', 'status', 'url']),
              },
            },
          },
        },
        {
          required: ['EventType'],
          properties: {
            EventType: { type: 'string' },
            SnapshotByTimeOffsetCompleteEvent: {
              type: 'object',
              required: ['TaskId', 'FileId', 'Definition', 'SnapshotInfoSet'],
              properties: {
                TaskId: key,
                FileId: key,
                Definition: int,
                SnapshotInfoSet: results(['TimeOffset', 'ErrCode', 'Url']),
              },
            },
          },
        },
      ],
    },
  },
}

const zId = z.string().min(1).max(2048)
const zOffset = z.number().int().nonnegative()
const zUrl = z.string().max(16_384).nullish()
const Legacy = z.object({
  eventType: z.literal(SNAPSHOT),
  data: z.object({
    vodTaskId: zId,
    fileId: zId,
    definition: z.number().int(),
    picInfo: z.array(z.object({ timeOffset: zOffset, status: z.number().int(), url: zUrl })),
  }),
})
const V3 = z.object({
  EventType: z.literal(SNAPSHOT),
  SnapshotByTimeOffsetCompleteEvent: z.object({
    TaskId: zId,
    FileId: zId,
    Definition: z.number().int(),
    SnapshotInfoSet: z.array(
      z.object({ TimeOffset: zOffset, ErrCode: z.number().int(), Url: zUrl }),
    ),
  }),
})

export const CallbackSchema = z.union([Legacy, V3])
export type Callback = z.infer<typeof CallbackSchema>
