import { vod } from 'tencentcloud-sdk-nodejs-vod'
import type {
  ConfirmEventsRequest,
  ConfirmEventsResponse,
  PullEventsRequest,
  PullEventsResponse,
} from 'tencentcloud-sdk-nodejs-vod/tencentcloud/services/vod/v20180717/vod_models'
import * as v from 'valibot'

/** The two calls of VOD's API 2018-07-17 a drain makes; the official SDK's `Client` has both. */
export interface VodEventQueue {
  PullEvents(request: PullEventsRequest): Promise<PullEventsResponse>
  ConfirmEvents(request: ConfirmEventsRequest): Promise<ConfirmEventsResponse>
}

/**
 * Tencent's advice for PullEvents, which holds a request up to 5 s on an empty queue; the task
 * API does not long-poll, so a slower answer there means VOD is not answering.
 */
const VOD_TIMEOUT_SECONDS = 10

/** A Tencent Cloud API key pair (CAM), as the SSM parameter holds it in JSON. */
export const TencentCredentialsSchema = v.object(
  {
    secretId: v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty')),
    secretKey: v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty')),
  },
  // Every message is ours: valibot's defaults quote the value received, here a secret.
  'must be a JSON object',
)

export type TencentCredentials = v.InferOutput<typeof TencentCredentialsSchema>

/**
 * The SDK's `httpProfile` for an endpoint: a bare host (`vod.intl.tencentcloudapi.com`) is
 * reached over HTTPS; a URL (`http://127.0.0.1:9000`, a fake of the API) with its own protocol.
 * The SDK posts to protocol + host + `/`, so a URL may carry no path. Undefined or empty: the
 * SDK's default, https://vod.tencentcloudapi.com.
 *
 * @throws {Error} when the endpoint is neither
 */
export function vodHttpProfile(endpoint?: string): { endpoint?: string; protocol?: string } {
  if (!endpoint) return {}
  const url = endpoint.includes('://') ? endpoint : `https://${endpoint}`
  const parsed = URL.canParse(url) ? new URL(url) : undefined
  if (
    !parsed ||
    !/^https?:$/.test(parsed.protocol) ||
    parsed.host === '' ||
    parsed.pathname !== '/' ||
    parsed.search !== '' ||
    parsed.username !== ''
  ) {
    throw new Error(`the VOD endpoint must be a host or an http(s) URL without a path: ${endpoint}`)
  }
  return { endpoint: parsed.host, protocol: `${parsed.protocol}//` }
}

export interface VodClientSettings {
  credentials: TencentCredentials
  /** The SDK sends it as X-TC-Region; PullEvents and ConfirmEvents do not need it. */
  region: string
  endpoint?: string
  timeoutSeconds?: number
}

/**
 * The official SDK's VOD client (API 2018-07-17), signing with TC3-HMAC-SHA256: the one the pull
 * drains the event queue with and reconcile asks the task API with.
 */
export function createVodApiClient(settings: VodClientSettings) {
  const { credentials, region, endpoint, timeoutSeconds = VOD_TIMEOUT_SECONDS } = settings
  return new vod.v20180717.Client({
    credential: credentials,
    region,
    profile: { httpProfile: { ...vodHttpProfile(endpoint), reqTimeout: timeoutSeconds } },
  })
}

/** The client the pull drains VOD's event queue with. */
export const createVodClient = (settings: VodClientSettings): VodEventQueue =>
  createVodApiClient(settings)

/** The error code VOD answered with (e.g. `InternalError`); undefined for a network error. */
export function vodErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code !== '' ? code : undefined
}

/**
 * Whether a PullEvents error means "no event to pull". After its long poll, VOD answers an
 * empty queue with the error `ResourceNotFound` (the only resource a pull can miss); an empty
 * or null `EventSet` is read the same way by the drain.
 */
export function isEmptyQueueError(error: unknown): boolean {
  const code = vodErrorCode(error)
  return code === 'ResourceNotFound' || code?.startsWith('ResourceNotFound.') === true
}
