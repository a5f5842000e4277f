import { createServer } from 'node:net'
import { vodSignature } from '../receive/callback-signature'
import { parseJsonOrUndefined } from '../runtime/json'

/**
 * Why `port` at `address` cannot be listened on (EADDRINUSE when something already listens
 * there; EADDRNOTAVAIL, EACCES or ENOTFOUND for an address or port this machine cannot give), or
 * undefined when it can: `npm start` then names the setting to change instead of failing with a
 * stack trace.
 */
export async function listenError(port: number, address: string): Promise<string | undefined> {
  const probe = createServer()
  return new Promise((resolve) => {
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    probe.listen(port, address, () => probe.close(() => resolve(undefined)))
  })
}

/** The function answered the probe with its own failure: waiting longer would not help. */
class FunctionFailedError extends Error {
  override name = 'FunctionFailedError'
}

/**
 * A screenshot event with no result, as the probe sends it: answered `{"code":0,"stored":0}`,
 * writing nothing, and, with no result to announce, publishing nothing (another event type
 * would be forwarded to FORWARD_URL's receiver).
 */
const PROBE = {
  EventType: 'CreateSnapshotByTimeOffsetComplete',
  SnapshotByTimeOffsetCompleteEvent: {
    TaskId: 'vod-snapshots-readiness-probe',
    FileId: 'vod-snapshots-readiness-probe',
    Definition: 0,
    SnapshotInfoSet: [],
  },
}

/**
 * Resolves once the callback function answers a probe ({@link PROBE}) sent with the stack's
 * token. That proves the function is loaded, configured and reached through the HTTP API,
 * without the "callback rejected" warning a probe without the token would log on every start.
 */
export async function waitUntilServing(
  callbackUrl: string,
  exited: () => boolean,
  { signKey, timeoutMs = 60_000 }: { signKey?: string; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    if (exited()) throw new Error('serverless-offline exited during start-up')
    try {
      const response = await fetch(callbackUrl, {
        method: 'POST',
        // Signed like VOD's callbacks when the stack checks signatures.
        body: JSON.stringify({
          ...PROBE,
          ...(signKey ? vodSignature(signKey, Math.floor(Date.now() / 1000) + 600) : {}),
        }),
      })
      const body = await response.text()
      const answer = parseJsonOrUndefined(body) as { code?: unknown; errorMessage?: unknown }
      if (response.status === 200 && answer?.code === 0) return
      // serverless-offline answers 200 with the error when the function failed to load: it
      // would do so for every callback.
      if (typeof answer?.errorMessage === 'string') {
        throw new FunctionFailedError(
          `the function failed to start: ${answer.errorMessage.split('\n')[0]}`,
        )
      }
      last = `${response.status} ${body}`
    } catch (error) {
      if (error instanceof FunctionFailedError) throw error
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the function did not answer within ${timeoutMs / 1000} s (last: ${last})`)
}
