import * as v from 'valibot'
import {
  DefinitionSchema,
  FileIdSchema,
  MAX_FALLBACK_MESSAGE_BYTES,
  PROCEDURE_EVENT_TYPE,
  SNAPSHOT_EVENT_TYPE,
  StatusSchema,
  TaskFlowTimeOffsetSchema,
  TaskIdSchema,
} from '../events/snapshot-result'
import type { SnapshotItem } from '../store/snapshot-item'

/** The marker of the log lines that keep results neither DynamoDB nor the queue took. */
export const UNSTORED_CALLBACK_MARKER = 'VOD_SNAPSHOTS_UNSTORED_CALLBACK'

/**
 * Results that could not be stored, kept for a later write: in the fallback queue, or in the
 * error log when the queue failed too. Results share their callback's task, file, template,
 * event, task flow, session and receipt time, so those are written once: a message is never much
 * larger than the callback. It carries every attribute, so a redriven item equals a stored one.
 */
const FallbackMessageSchema = v.object({
  kind: v.literal('vod-snapshots/unstored-results'),
  vodTaskId: TaskIdSchema,
  fileId: FileIdSchema,
  definition: DefinitionSchema,
  // Absent in messages written before task flows were stored: those are all the 2017 event's.
  eventType: v.optional(
    v.picklist([SNAPSHOT_EVENT_TYPE, PROCEDURE_EVENT_TYPE]),
    SNAPSHOT_EVENT_TYPE,
  ),
  procedureTaskId: v.optional(TaskIdSchema),
  sessionContext: v.optional(v.string()),
  sessionId: v.optional(v.string()),
  /** The results' format lacks attributes: they are merged, never written whole. */
  partial: v.optional(v.literal(true)),
  receivedAt: v.pipe(v.string(), v.isoTimestamp()),
  results: v.array(
    v.object({
      timeOffset: TaskFlowTimeOffsetSchema,
      status: StatusSchema,
      url: v.optional(v.string()),
      watermarkDefinitions: v.optional(v.array(DefinitionSchema)),
    }),
  ),
})

export type FallbackMessage = v.InferOutput<typeof FallbackMessageSchema>

type SharedFields = Omit<FallbackMessage, 'kind' | 'results'>

// What a callback's items have in common; the optional fields only when the item has them.
function sharedFields(item: SnapshotItem): SharedFields {
  const { vodTaskId, fileId, definition, eventType, receivedAt } = item
  const shared: SharedFields = { vodTaskId, fileId, definition, eventType, receivedAt }
  if (item.procedureTaskId !== undefined) shared.procedureTaskId = item.procedureTaskId
  if (item.sessionContext !== undefined) shared.sessionContext = item.sessionContext
  if (item.sessionId !== undefined) shared.sessionId = item.sessionId
  if (item.partial) shared.partial = true
  return shared
}

/**
 * Groups items into messages of at most `maxBytes` of JSON each. Under SQS's 256 KB message
 * limit and CloudWatch's 256 KB log event limit, so one callback is one message unless it is
 * very large.
 */
export function toFallbackMessages(
  items: readonly SnapshotItem[],
  maxBytes = MAX_FALLBACK_MESSAGE_BYTES,
): FallbackMessage[] {
  const messages: FallbackMessage[] = []
  const open = new Map<string, { message: FallbackMessage; bytes: number }>()
  for (const item of items) {
    const { timeOffset, status, url, watermarkDefinitions } = item
    const shared = sharedFields(item)
    const key = JSON.stringify(Object.entries(shared))
    const result: FallbackMessage['results'][number] = { timeOffset, status }
    if (url !== undefined) result.url = url
    if (watermarkDefinitions !== undefined) result.watermarkDefinitions = watermarkDefinitions
    const bytes = Buffer.byteLength(JSON.stringify(result)) + 1
    let current = open.get(key)
    if (!current || (current.bytes + bytes > maxBytes && current.message.results.length > 0)) {
      const message: FallbackMessage = {
        kind: 'vod-snapshots/unstored-results',
        ...shared,
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
  const { kind: _kind, results, ...shared } = message
  return results.map((result) => ({ ...shared, ...result }))
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
