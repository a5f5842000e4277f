import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { listenError, waitUntilServing } from '../../lib/local/local-ports'

let close: (() => void) | undefined
afterEach(() => close?.())

/** A callback URL answering every request 200 with `body`, as serverless-offline can. */
async function answering(body: string): Promise<string> {
  const server = createServer((request, response) => {
    request.resume()
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  close = () => server.close()
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/vod/callback?token=t`
}

describe('waitUntilServing', () => {
  it('resolves once the function answers the probe as stored', async () => {
    const url = await answering('{"code":0,"stored":0}')
    await expect(waitUntilServing(url, () => false, { timeoutMs: 2000 })).resolves.toBeUndefined()
  })

  it('fails at once, in one line, when the answer is the function failing to load', async () => {
    // serverless-offline's 200 for a handler that threw while loading: it would answer every
    // callback so, and the banner must not say ready.
    const url = await answering(
      JSON.stringify({
        errorMessage: 'Invalid configuration: FORWARD_URL: FORWARD_URL must be an http(s) URL',
        errorType: 'ConfigError',
        stackTrace: ['ConfigError: Invalid configuration', '    at parseConfig (config.ts:1:1)'],
      }),
    )
    const started = Date.now()
    await expect(waitUntilServing(url, () => false, { timeoutMs: 10_000 })).rejects.toThrow(
      /^the function failed to start: Invalid configuration: FORWARD_URL: FORWARD_URL must be an http\(s\) URL$/,
    )
    expect(Date.now() - started).toBeLessThan(5000)
  })
})

describe('listenError', () => {
  it('tells a port in use from an address this machine does not have, and a free port', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      expect(await listenError(port, '127.0.0.1')).toBe('EADDRINUSE')
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
    expect(await listenError(port, '127.0.0.1')).toBeUndefined()
    // TEST-NET-1 (RFC 5737): never an address of this machine.
    expect(await listenError(port, '192.0.2.1')).toBe('EADDRNOTAVAIL')
  })
})
