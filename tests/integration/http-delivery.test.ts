import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { httpDeliveryPublisher } from '../../lib/forward/http-delivery'
import { ANNOUNCEMENT_TYPE, vodEventEntry } from '../../lib/forward/vod-event-entry'
import { captureLogger } from '../support/capture-logger'
import { fixtureText } from '../support/fixtures'

interface Received {
  body: string
  contentType: string | undefined
}

let server: Server | undefined

/** A receiver that answers 503 to its first `failures` requests, then 200. */
async function receiver(failures: number) {
  const received: Received[] = []
  let refused = 0
  server = createServer(async (request: IncomingMessage, response) => {
    let body = ''
    for await (const chunk of request) body += chunk
    if (refused < failures) {
      refused++
      response.writeHead(503).end()
      return
    }
    received.push({ body, contentType: request.headers['content-type'] })
    response.writeHead(200).end('ok')
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/vod`, received }
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve))
  server = undefined
})

describe('the local stand-in for the bus and its API destination', () => {
  it('POSTs the body exactly as VOD sent it, retrying a receiver that is down at first', async () => {
    const { url, received } = await receiver(2)
    const logger = captureLogger()
    const publisher = httpDeliveryPublisher(url, logger, { baseDelayMs: 10 })
    const body = fixtureText('v3-new-file-upload')

    await publisher.publish([vodEventEntry('NewFileUpload', body, 'local')])
    await publisher.idle()

    expect(received).toStrictEqual([{ body, contentType: 'application/json' }])
    expect(logger.lines.map((line) => line.message)).toStrictEqual([
      'event forward retried',
      'event forward retried',
      'event forwarded',
    ])
  })

  it('logs an event it could not deliver after its last attempt, and never an announcement', async () => {
    const { url, received } = await receiver(100)
    const logger = captureLogger()
    const publisher = httpDeliveryPublisher(url, logger, { baseDelayMs: 1, maxAttempts: 3 })

    await publisher.publish([
      vodEventEntry('FileDeleted', '{"EventType":"FileDeleted"}', 'local'),
      { Source: 'vod-snapshots', DetailType: ANNOUNCEMENT_TYPE, Detail: '{"stored":1}' },
    ])
    await publisher.idle()

    expect(received).toStrictEqual([])
    expect(logger.lines.at(-1)).toStrictEqual({
      level: 'ERROR',
      message: 'event not forwarded',
      fields: {
        detailType: 'FileDeleted',
        attempts: 3,
        reason: 'HTTP 503',
        detail: '{"EventType":"FileDeleted"}',
      },
    })
    expect(logger.lines[0]).toStrictEqual({
      level: 'INFO',
      message: 'results announced',
      fields: { detail: '{"stored":1}' },
    })
  })
})
