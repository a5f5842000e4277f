import * as v from 'valibot'
import {
  DefinitionSchema,
  FileIdSchema,
  SNAPSHOT_EVENT_TYPE,
  StatusSchema,
  TaskIdSchema,
  TimeOffsetSchema,
} from '../events/snapshot-result'
import type { SnapshotItem } from '../store/snapshot-item'

/** The marker of the log lines that keep results neither DynamoDB nor the queue took. */
export const UNSTORED_CALLBACK_MARKER = 'VOD_SNAPSHOTS_UNSTORED_CALLBACK'

/**
 * Results that could not be stored, kept for a later write: in the fallback queue, or in the
 * error log when the queue failed too. Results share their callback's task, file, template and
 * receipt time, so those are written once: a message is never much larger than the callback.
 */
export const FallbackMessageSchema = v.object({
  kind: v.literal('vod-snapshots/unstored-results'),
  vodTaskId: TaskIdSchema,
  fileId: FileIdSchema,
  definition: DefinitionSchema,
  receivedAt: v.pipe(v.string(), v.isoTimestamp()),
  results: v.array(
    v.object({ timeOffset: TimeOffsetSchema, status: StatusSchema, url: v.optional(v.string()) }),
  ),
})

export type FallbackMessage = v.InferOutput<typeof FallbackMessageSchema>

/**
 * Groups items into messages of at most `maxBytes` of JSON each. Under SQS's 256 KB message
 * limit and CloudWatch's 256 KB log event limit, so one callback is one message unless it is
 * very large.
 */
export function toFallbackMessages(
  items: readonly SnapshotItem[],
  maxBytes = 200_000,
): FallbackMessage[] {
  const messages: FallbackMessage[] = []
  const open = new Map<string, { message: FallbackMessage; bytes: number }>()
  for (const { vodTaskId, fileId, definition, receivedAt, timeOffset, status, url } of items) {
    const key = JSON.stringify([vodTaskId, fileId, definition, receivedAt])
    const result = url === undefined ? { timeOffset, status } : { timeOffset, status, url }
    const bytes = Buffer.byteLength(JSON.stringify(result)) + 1
    let current = open.get(key)
    if (!current || (current.bytes + bytes > maxBytes && current.message.results.length > 0)) {
      const message: FallbackMessage = {
        kind: 'vod-snapshots/unstored-results',
        ...{ vodTaskId, fileId, definition, receivedAt },
        results: [],
      }
      current = { message, bytes: Buffer.byteLength(JSON.stringify(message)) }
      open.set(key, current)
      messages.push(message)
    }
    current.message.results.push(result)
    current.bytes += bytes
  }
  return messages
}

/** The table items a message stands for, with their original receipt time. */
export function fallbackItems(message: FallbackMessage): SnapshotItem[] {
  const { vodTaskId, fileId, definition, receivedAt } = message
  return message.results.map((result) => ({
    vodTaskId,
    fileId,
    definition,
    ...result,
    eventType: SNAPSHOT_EVENT_TYPE,
    receivedAt,
  }))
}

/**
 * Parses a message body read back from the queue or a log line.
 *
 * @throws {Error} naming the problems when the text is not a fallback message
 */
export function parseFallbackMessage(text: string): FallbackMessage {
  const result = v.safeParse(FallbackMessageSchema, JSON.parse(text))
  if (!result.success) {
    throw new Error(`not a fallback message: ${result.issues.map((i) => i.message).join('; ')}`)
  }
  return result.output
}
