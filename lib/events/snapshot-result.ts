import * as v from 'valibot'

/** The 2017 screenshot event: results of tasks started by CreateSnapshotByTimeOffset. */
export const SNAPSHOT_EVENT_TYPE = 'CreateSnapshotByTimeOffsetComplete'

/**
 * The task-flow event: results of ProcessMedia, ProcessMediaByProcedure and task flows run on
 * upload. Its SnapshotByTimeOffset subtasks are stored; a task flow without one is ignored.
 */
export const PROCEDURE_EVENT_TYPE = 'ProcedureStateChanged'

// DynamoDB rejects a partition key over 2,048 bytes and an empty string in any key, base table
// or index: vodTaskId and fileId are both partition keys (fileId of the byFileId index).
export const MAX_PARTITION_KEY_BYTES = 2048
// A whole item must stay under DynamoDB's 400 KB; real screenshot URLs are a few hundred bytes.
export const MAX_URL_BYTES = 16_384

// With the u flag a surrogate pair is one code point: only a lone surrogate matches.
const MALFORMED = /[\uD800-\uDFFF\uFFFD]/u

/**
 * A string that is well-formed Unicode with no U+FFFD. A lone surrogate (a `\ud800` escape) is
 * not well-formed; a U+FFFD is what invalid UTF-8 bytes became on their way here. Stored, both
 * lose what was sent: two different task IDs could come out as one key.
 */
const wellFormed = (name: string) =>
  v.check((text: string) => !MALFORMED.test(text), `${name} must be well-formed Unicode`)

const keyString = (name: string) =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.nonEmpty(`${name} must not be empty`),
    wellFormed(name),
    v.maxBytes(MAX_PARTITION_KEY_BYTES, `${name} must be at most ${MAX_PARTITION_KEY_BYTES} bytes`),
  )

/** The screenshot task ID: the table's partition key. */
export const TaskIdSchema = keyString('the task ID')

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
      v.maxBytes(MAX_URL_BYTES, `the URL must be at most ${MAX_URL_BYTES} bytes`),
    ),
  ),
  v.transform((url) => (url ? url : undefined)),
)

/** The longest correlation string kept: VOD caps SessionContext at 1,000 characters. */
export const MAX_SESSION_BYTES = 4096

/**
 * The application's own correlation string (SessionContext, SessionId), passed through by VOD.
 * Empty or null means none.
 */
export const SessionStringSchema = v.pipe(
  v.nullish(
    v.pipe(
      v.string('the session value must be a string'),
      wellFormed('the session value'),
      v.maxBytes(MAX_SESSION_BYTES, `the session value must be at most ${MAX_SESSION_BYTES} bytes`),
    ),
  ),
  v.transform((text) => (text ? text : undefined)),
)

/** One screenshot result, whatever format it arrived in: the product's domain type. */
export const SnapshotResultSchema = v.object({
  vodTaskId: TaskIdSchema,
  fileId: FileIdSchema,
  definition: DefinitionSchema,
  // Whole ms for the 2017 event (its formats check that), a float for a task flow's.
  timeOffset: TaskFlowTimeOffsetSchema,
  status: StatusSchema,
  url: v.optional(v.string()),
  /** The event it came in; absent for the 2017 event, so its items keep their shape. */
  eventType: v.optional(v.literal(PROCEDURE_EVENT_TYPE)),
  /** A task flow's TaskId: `vodTaskId` too unless the flow holds several snapshot subtasks. */
  procedureTaskId: v.optional(TaskIdSchema),
  sessionContext: v.optional(v.string()),
  sessionId: v.optional(v.string()),
  /** The watermark templates VOD applied to this screenshot, when it says so. */
  watermarkDefinitions: v.optional(v.array(DefinitionSchema)),
})

export type SnapshotResult = v.InferOutput<typeof SnapshotResultSchema>
