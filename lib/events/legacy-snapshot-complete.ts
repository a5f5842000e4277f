import * as v from 'valibot'
import {
  CallbackTaskIdSchema,
  DefinitionSchema,
  FileIdSchema,
  SNAPSHOT_EVENT_TYPE,
  type SnapshotResult,
  StatusSchema,
  TimeOffsetSchema,
  UrlSchema,
} from './snapshot-result'

/**
 * The legacy ("v2.0" callback, body `version` "4.0") snapshot event. The docs show the version as
 * "4.0", one PullEvent example as the number 4. Unknown fields are dropped: VOD adds fields over
 * time.
 */
export const LegacySnapshotCallbackSchema = v.object({
  version: v.picklist(['4.0', 4], 'the version must be "4.0" or 4'),
  eventType: v.literal(SNAPSHOT_EVENT_TYPE),
  data: v.object({
    vodTaskId: CallbackTaskIdSchema,
    fileId: FileIdSchema,
    definition: DefinitionSchema,
    picInfo: v.array(
      v.object({ timeOffset: TimeOffsetSchema, status: StatusSchema, url: UrlSchema }),
      'picInfo must be an array',
    ),
  }),
})

export type LegacySnapshotCallback = v.InferOutput<typeof LegacySnapshotCallbackSchema>

/** Maps a validated legacy callback to one domain result per screenshot. */
export function normaliseLegacyCallback({ data }: LegacySnapshotCallback): SnapshotResult[] {
  return data.picInfo.map((pic) => ({
    vodTaskId: data.vodTaskId,
    fileId: data.fileId,
    definition: data.definition,
    timeOffset: pic.timeOffset,
    status: pic.status,
    url: pic.url,
  }))
}
