import * as v from 'valibot'

/** The only event this product stores; every other event type is acknowledged and ignored. */
export const SNAPSHOT_EVENT_TYPE = 'CreateSnapshotByTimeOffsetComplete'

// DynamoDB rejects a partition key over 2,048 bytes and an empty string in any key, base table
// or index: vodTaskId and fileId are both partition keys (fileId of the byFileId index).
const MAX_PARTITION_KEY_BYTES = 2048
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

/** One screenshot result, whatever format it arrived in: the product's domain type. */
export const SnapshotResultSchema = v.object({
  vodTaskId: TaskIdSchema,
  fileId: FileIdSchema,
  definition: DefinitionSchema,
  timeOffset: TimeOffsetSchema,
  status: StatusSchema,
  url: v.optional(v.string()),
})

export type SnapshotResult = v.InferOutput<typeof SnapshotResultSchema>
