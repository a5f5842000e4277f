/**
 * An AWS client's HTTP timeouts, as `requestHandler` options, that really end a request. The
 * SDK's HTTP handler only logs a plain-text warning when `requestTimeout` passes, unless
 * `throwOnRequestTimeout` is set: then the request fails with a TimeoutError and the caller's own
 * retry, fallback or deadline takes over, as each client's timeouts were chosen for.
 */
export function requestTimeouts(connectionTimeout: number, requestTimeout: number) {
  return { connectionTimeout, requestTimeout, throwOnRequestTimeout: true }
}
