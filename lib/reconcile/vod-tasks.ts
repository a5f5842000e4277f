import type {
  DescribeTaskDetailRequest,
  DescribeTaskDetailResponse,
  DescribeTasksRequest,
  DescribeTasksResponse,
} from 'tencentcloud-sdk-nodejs-vod/tencentcloud/services/vod/v20180717/vod_models'
import { createVodApiClient, type VodClientSettings } from '../pull/vod-client'

/**
 * The TaskTypes VOD documents whose detail never holds a time-offset screenshot (the others are
 * `Procedure` and `SnapshotByTimeOffset`): DescribeTaskDetail answers them with no such object.
 */
export const OTHER_VOD_TASK_TYPES = [
  'EditMedia',
  'ReviewAudioVideo',
  'Transcode',
  'Concat',
  'Clip',
  'ImageSprites',
] as const

/**
 * The two calls of VOD's task API (API 2018-07-17) that ask VOD afterwards what became of a
 * task; the official SDK's `Client` has both. VOD answers only for tasks created in the last
 * 72 hours, at most 100 requests a second per action (`RequestLimitExceeded` beyond).
 */
export interface VodTaskApi {
  /** One page of the task list, at most `Limit` (10 by default, 100 at most) entries. */
  DescribeTasks(request: DescribeTasksRequest): Promise<DescribeTasksResponse>
  /** A task's status and its result, under the field named after its TaskType. */
  DescribeTaskDetail(request: DescribeTaskDetailRequest): Promise<DescribeTaskDetailResponse>
}

/** The official SDK's client for the task API (timeouts and endpoint as the pull's). */
export const createVodTaskApi = (settings: VodClientSettings): VodTaskApi =>
  createVodApiClient(settings)
