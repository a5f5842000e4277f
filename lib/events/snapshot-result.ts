import * as v from 'valibot'

/** The 2017 screenshot event: results of tasks started by CreateSnapshotByTimeOffset. */
export const SNAPSHOT_EVENT_TYPE = 'CreateSnapshotByTimeOffsetComplete'

/**
 * The task-flow event: results of ProcessMedia, ProcessMediaByProcedure and task flows run on
 * upload. Its SnapshotByTimeOffset subtasks are stored; a task flow without one is ignored.
 */
export const PROCEDURE_EVENT_TYPE = 'ProcedureStateChanged'

/**
 * The status a failed subtask's items carry when VOD gave the failure no code of its own (the
 * deprecated ErrCode left 0): any non-zero value, so the item never reads as a success. A
 * failure with a code is never replaced by one without (lib/store).
 */
export const UNCODED_FAILURE_STATUS = -1

/**
 * Whether `value` names `name` but for case or spelling ("snapshotByTimeOffset",
 * "SNAPSHOT_BY_TIME_OFFSET"): compared lower-cased, non-letters removed. A name VOD documents
 * for something that carries results, so written, is refused rather than taken for another.
 */
export function spelledLike(value: string, name: string): boolean {
  return value !== name && value.toLowerCase().replace(/[^a-z]/g, '') === name.toLowerCase()
}

// DynamoDB rejects a partition key over 2,048 bytes and an empty string in any key, base table
// or index: vodTaskId and fileId are both partition keys (fileId of the byFileId index).
export const MAX_PARTITION_KEY_BYTES = 2048
// A whole item must stay under DynamoDB's 400 KB; real screenshot URLs are a few hundred bytes.
export const MAX_URL_BYTES = 16_384

/**
 * A string that is well-formed Unicode with no U+FFFD. A lone surrogate (a `\ud800` escape) is
 * not well-formed; a U+FFFD is what invalid UTF-8 bytes became on their way here. Stored, both
 * lose what was sent: two different task IDs could come out as one key.
 */
const wellFormed = (name: string) =>
  v.check(
    (text: string) => text.isWellFormed() && !text.includes('\uFFFD'),
    `${name} must be well-formed Unicode`,
  )

/**
 * At most `max` bytes of UTF-8, counted only when the length alone cannot decide: a UTF-16 unit
 * is at most 3 bytes. valibot's maxBytes encodes every string it checks, and a callback has
 * thousands (npm run bench).
 */
const maxUtf8Bytes = (max: number, message: string) =>
  v.check((text: string) => text.length * 3 <= max || Buffer.byteLength(text) <= max, message)

const keyString = (name: string) =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.nonEmpty(`${name} must not be empty`),
    wellFormed(name),
    maxUtf8Bytes(
      MAX_PARTITION_KEY_BYTES,
      `${name} must be at most ${MAX_PARTITION_KEY_BYTES} bytes`,
    ),
  )

/**
 * The table's partition key `vodTaskId`: the 2017 event's task ID, or a task-flow key
 * `<TaskId>#<definition>[#<n>]` (see subtaskTaskIds). What a callback sends as a task ID is
 * checked with {@link CallbackTaskIdSchema}, which refuses the `#` these keys are built with.
 */
export const TaskIdSchema = keyString('the task ID')

/**
 * A task ID as VOD sends it (TaskId, vodTaskId) in either event and either format. It must not
 * contain `#`: a task flow's items are keyed `<TaskId>#<definition>`, so a task ID with a `#`
 * could name another task's items.
 */
export const CallbackTaskIdSchema = v.pipe(
  TaskIdSchema,
  v.check((id: string) => !id.includes('#'), 'the task ID must not contain "#"'),
)

/** The video's file ID. A string of up to 20 digits: beyond 2^53, so never a number. */
export const FileIdSchema = keyString('the file ID')

/** Milliseconds into the video: the table's sort key. */
export const TimeOffsetSchema = v.pipe(
  v.number('the time offset must be a number of milliseconds'),
  v.safeInteger('the time offset must be a whole number of milliseconds'),
  v.minValue(0, 'the time offset must not be negative'),
)

export const MIN_DYNAMODB_NUMBER = 1e-130

/**
 * Milliseconds into the video as a task flow reports them: a float ("3.5s" and "10%" points need
 * not fall on a whole ms), kept exactly as sent: DynamoDB's N holds every double from 1e-130 up.
 */
export const TaskFlowTimeOffsetSchema = v.pipe(
  v.number('the time offset must be a number of milliseconds'),
  v.minValue(0, 'the time offset must not be negative'),
  v.maxValue(Number.MAX_SAFE_INTEGER, 'the time offset must be at most 2^53 milliseconds'),
  // DynamoDB's numbers stop at 1e-130: a smaller positive double could never be written.
  v.check(
    (ms) => ms <= 0 || ms >= MIN_DYNAMODB_NUMBER,
    'the time offset must be 0 or at least 1e-130 milliseconds',
  ),
)

/** 0 for success, otherwise VOD's error code (video-processing errors are negative). */
export const StatusSchema = v.pipe(
  v.number('the status must be a number'),
  v.safeInteger('the status must be an integer'),
)

/** The screenshot template ID. */
export const DefinitionSchema = v.pipe(
  v.number('the definition must be a number'),
  v.safeInteger('the definition must be an integer'),
)

/** The image URL. A failed screenshot has none; VOD may send it empty or null instead. */
export const UrlSchema = v.pipe(
  v.nullish(
    v.pipe(
      v.string('the URL must be a string'),
      wellFormed('the URL'),
      maxUtf8Bytes(MAX_URL_BYTES, `the URL must be at most ${MAX_URL_BYTES} bytes`),
    ),
  ),
  v.transform((url) => (url ? url : undefined)),
)

/** The longest correlation string kept: VOD caps SessionContext at 1,000 characters. */
export const MAX_SESSION_BYTES = 4096

/** DynamoDB's largest item: attribute names and values together (400 KB). */
export const MAX_ITEM_BYTES = 409_600

/**
 * The largest fallback message's JSON (toFallbackMessages' default, under SQS's 256 KB). A result
 * is never split across messages: an item that cannot be written must still fit one message.
 */
export const MAX_FALLBACK_MESSAGE_BYTES = 200_000

// The worst case every cap allows, in each of the two places an item must fit. Strings at their
// caps: vodTaskId, fileId and procedureTaskId 3 × 2,048, url 16,384, sessionContext and
// sessionId 2 × 4,096: 30,720 bytes.
const CAPPED_STRING_BYTES = 3 * MAX_PARTITION_KEY_BYTES + MAX_URL_BYTES + 2 * MAX_SESSION_BYTES
// The longest eventType (34 bytes) and receivedAt: an ISO timestamp, at most 27 bytes
// ("+275760-09-13T00:00:00.000Z", the last date a Date holds).
const EVENT_TYPE_BYTES = Math.max(SNAPSHOT_EVENT_TYPE.length, PROCEDURE_EVENT_TYPE.length)
const RECEIVED_AT_BYTES = 27
// Room for attributes or message fields added later.
const RESERVE_BYTES = 1024

/** Every attribute a table item may have (lib/store writes them): the keys, then the rest. */
export const ITEM_ATTRIBUTES = [
  'vodTaskId',
  'timeOffset',
  'fileId',
  'definition',
  'status',
  'eventType',
  'receivedAt',
  'url',
  'procedureTaskId',
  'sessionContext',
  'sessionId',
  'watermarkDefinitions',
  'expiresAt',
  'origin',
] as const

// DynamoDB: names + values, a number at most 21 bytes, a list 3 bytes and 1 more per element.
// The names of every attribute an item may have: 136 bytes (origin's value, 9, is in the reserve).
const ITEM_NAME_BYTES = ITEM_ATTRIBUTES.join('').length
const DYNAMODB_NUMBER_BYTES = 21
// 136 + 30,720 + 34 + 27 + 4 numbers (definition, timeOffset, status, expiresAt) × 21 + 3 (the
// list) + 1,024 = 32,028 bytes; each definition 21 + 1 = 22: (409,600 − 32,028) / 22 → 17,162.
const ITEM_FIXED_BYTES =
  ITEM_NAME_BYTES +
  CAPPED_STRING_BYTES +
  EVENT_TYPE_BYTES +
  RECEIVED_AT_BYTES +
  4 * DYNAMODB_NUMBER_BYTES +
  3 +
  RESERVE_BYTES
const DEFINITIONS_PER_ITEM = Math.floor(
  (MAX_ITEM_BYTES - ITEM_FIXED_BYTES) / (DYNAMODB_NUMBER_BYTES + 1),
)

// The fallback message: JSON.stringify writes a control character as "\u0001", 6 bytes for
// one. A one-result message with every value empty is 245 bytes of names and punctuation.
const JSON_ESCAPE_FACTOR = 6
const MESSAGE_SKELETON_BYTES = JSON.stringify({
  kind: 'vod-snapshots/unstored-results',
  vodTaskId: '',
  fileId: '',
  definition: 0,
  eventType: '',
  procedureTaskId: '',
  sessionContext: '',
  sessionId: '',
  receivedAt: '',
  results: [{ timeOffset: 0, status: 0, url: '', watermarkDefinitions: [] }],
}).length
// A safe integer (definition, status, each watermark) is at most 17 characters
// ("-9007199254740991"); a time offset at most 24 ("0.0000012345678901234567").
const JSON_INTEGER_BYTES = 17
const JSON_TIME_OFFSET_BYTES = 24
// 245 + 6 × 30,720 + 34 + 27 + 2 × 17 + 24 + 1,024 = 185,708 bytes; each definition 17 + a
// comma: (200,000 − 185,708) / 18 → 794.
const MESSAGE_FIXED_BYTES =
  MESSAGE_SKELETON_BYTES +
  JSON_ESCAPE_FACTOR * CAPPED_STRING_BYTES +
  EVENT_TYPE_BYTES +
  RECEIVED_AT_BYTES +
  2 * JSON_INTEGER_BYTES +
  JSON_TIME_OFFSET_BYTES +
  RESERVE_BYTES
const DEFINITIONS_PER_MESSAGE = Math.floor(
  (MAX_FALLBACK_MESSAGE_BYTES - MESSAGE_FIXED_BYTES) / (JSON_INTEGER_BYTES + 1),
)

/**
 * The most watermark templates one screenshot may list (794): the smaller of what fits a
 * DynamoDB item (17,162) and what fits one fallback message (794) beside every other field at
 * its cap. VOD applies at most 10 watermarks to a task; more cannot be written and are refused.
 */
export const MAX_WATERMARK_DEFINITIONS = Math.min(DEFINITIONS_PER_ITEM, DEFINITIONS_PER_MESSAGE)

/** A screenshot's watermark templates, at most {@link MAX_WATERMARK_DEFINITIONS}. */
export const WatermarkDefinitionsSchema = v.pipe(
  v.array(DefinitionSchema, 'the watermark definitions must be an array'),
  v.maxLength(
    MAX_WATERMARK_DEFINITIONS,
    `must hold at most ${MAX_WATERMARK_DEFINITIONS} definitions`,
  ),
)

/**
 * The application's own correlation string (SessionContext, SessionId), passed through by VOD.
 * Empty or null means none.
 */
export const SessionStringSchema = v.pipe(
  v.nullish(
    v.pipe(
      v.string('the session value must be a string'),
      wellFormed('the session value'),
      maxUtf8Bytes(
        MAX_SESSION_BYTES,
        `the session value must be at most ${MAX_SESSION_BYTES} bytes`,
      ),
    ),
  ),
  v.transform((text) => (text ? text : undefined)),
)

/** One screenshot result, whatever format it arrived in: the product's domain type. */
const SnapshotResultSchema = v.object({
  vodTaskId: TaskIdSchema,
  fileId: FileIdSchema,
  definition: DefinitionSchema,
  // Whole ms for the 2017 event (its formats check that), a float for a task flow's.
  timeOffset: TaskFlowTimeOffsetSchema,
  status: StatusSchema,
  url: v.optional(v.string()),
  /** The event it came in; absent for the 2017 event, so its items keep their shape. */
  eventType: v.optional(v.literal(PROCEDURE_EVENT_TYPE)),
  /** A task flow's TaskId; its items' `vodTaskId` is `<TaskId>#<definition>` (see subtaskTaskIds). */
  procedureTaskId: v.optional(CallbackTaskIdSchema),
  sessionContext: v.optional(v.string()),
  sessionId: v.optional(v.string()),
  /** The watermark templates VOD applied to this screenshot, when it says so. */
  watermarkDefinitions: v.optional(WatermarkDefinitionsSchema),
  /**
   * This delivery's format does not carry every attribute of the item (the legacy task-flow
   * format has no session or watermark fields): it is written as a merge, never as a replacement.
   */
  partial: v.optional(v.literal(true)),
})

export type SnapshotResult = v.InferOutput<typeof SnapshotResultSchema>
