/**
 * Every event type VOD documents (EventContent.EventType in the API 2018-07-17 model of
 * tencentcloud-sdk-nodejs-vod, with the 2017 types it still sends). Only these names are ever
 * used as an EventBridge detail-type, echoed in an answer or listed: a body's own event type
 * may be any text, the callback token included.
 */
const VOD_EVENT_TYPES: ReadonlySet<string> = new Set([
  'NewFileUpload',
  'ProcedureStateChanged',
  'FileDeleted',
  'RestoreMediaComplete',
  'PullComplete',
  'EditMediaComplete',
  'SplitMediaComplete',
  'ComposeMediaComplete',
  'WechatMiniProgramPublishComplete',
  'RemoveWatermark',
  'RebuildMediaComplete',
  'ReviewAudioVideoComplete',
  'ExtractTraceWatermarkComplete',
  'ExtractCopyRightWatermarkComplete',
  'DescribeFileAttributesComplete',
  'QualityInspectComplete',
  'QualityEnhanceComplete',
  'PersistenceComplete',
  'ComplexAdaptiveDynamicStreamingComplete',
  'ProcessMediaByMPSComplete',
  'AigcImageTaskComplete',
  'AigcVideoTaskComplete',
  'DescribeAigcFaceInfoAsyncComplete',
  // The 2017 event types.
  'TranscodeComplete',
  'ConcatComplete',
  'ClipComplete',
  'CreateImageSpriteComplete',
  'CreateSnapshotByTimeOffsetComplete',
])

/** The event type when VOD documents it, else undefined. */
export function knownVodEventType(eventType: unknown): string | undefined {
  return typeof eventType === 'string' && VOD_EVENT_TYPES.has(eventType) ? eventType : undefined
}
