import { createServer } from 'node:net'
import { vodSignature } from '../receive/callback-signature'

/**
 * Whether something already listens on `port` at `address`: `npm start` then names the setting
 * to change instead of failing with a stack trace.
 */
export async function portTaken(port: number, address: string): Promise<boolean> {
  const probe = createServer()
  return new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(true))
    probe.listen(port, address, () => probe.close(() => resolve(false)))
  })
}

/**
 * Resolves once the callback function answers a probe: an event type it acknowledges without
 * storing anything, sent with the stack's token. That proves the function is loaded, configured
 * and reached through the HTTP API, without the "callback rejected" warning a probe without the
 * token would log on every start.
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
          EventType: 'ReadinessProbe',
          ...(signKey ? vodSignature(signKey, Math.floor(Date.now() / 1000) + 600) : {}),
        }),
      })
      const body = await response.text()
      if (response.status === 200) return
      last = `${response.status} ${body}`
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the function did not answer within ${timeoutMs / 1000} s (last: ${last})`)
}
