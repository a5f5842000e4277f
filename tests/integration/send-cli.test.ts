import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { freePort } from '../../lib/local/free-port'
import { runScript } from '../support/run-script'

const FIXTURE = 'tests/fixtures/legacy-snapshot-success.json'
const FIXTURE_BYTES = readFileSync(new URL(`../../${FIXTURE}`, import.meta.url))
const TOKEN = 'send-test-token-0123456789'

interface Received {
  method: string | undefined
  url: string | undefined
  headers: IncomingHttpHeaders
  body: Buffer
}

// A stand-in for the callback endpoint: keeps each request, answers what the test sets.
let received: Received[] = []
let answer = { status: 200, body: '{"code":0,"stored":2}' }
let server: Server
let port: number

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const { method, url, headers } = request
    received.push({ method, url, headers, body: Buffer.concat(chunks) })
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

beforeEach(() => {
  received = []
  answer = { status: 200, body: '{"code":0,"stored":2}' }
})

describe('npm run send', () => {
  it('POSTs the file as VOD does and prints the answer, never the token', async () => {
    const url = `http://127.0.0.1:${port}/vod/callback?token=${TOKEN}`

    const { code, stdout, stderr } = await runScript('send', [FIXTURE, '--url', url])

    expect(received).toHaveLength(1)
    const [request] = received
    expect(request?.method).toBe('POST')
    expect(request?.url).toBe(`/vod/callback?token=${TOKEN}`)
    expect(request?.headers).not.toHaveProperty('content-type')
    expect(request?.headers['content-length']).toBe(String(FIXTURE_BYTES.length))
    expect(request?.body.equals(FIXTURE_BYTES)).toBe(true)
    expect({ code, stderr }).toStrictEqual({ code: 0, stderr: '' })
    expect(stdout).toBe(
      [
        `POST http://127.0.0.1:${port}/vod/callback?token=*** (${FIXTURE_BYTES.length} bytes from ${FIXTURE})`,
        '200 OK',
        '{"code":0,"stored":2}',
        '',
      ].join('\n'),
    )
  })

  it("sends to the local stack's URL by default, built from PORT and CALLBACK_TOKEN", async () => {
    const { code } = await runScript('send', [FIXTURE], {
      PORT: String(port),
      CALLBACK_TOKEN: TOKEN,
    })

    expect(code).toBe(0)
    expect(received.map((request) => request.url)).toStrictEqual([`/vod/callback?token=${TOKEN}`])
  })

  it('exits with 1 on an answer other than 2xx, hiding a token the answer echoes', async () => {
    answer = { status: 401, body: `{"code":401,"message":"Unauthorized: ${TOKEN}"}` }

    const { code, stdout } = await runScript('send', [FIXTURE], {
      PORT: String(port),
      CALLBACK_TOKEN: TOKEN,
    })

    expect(code).toBe(1)
    expect(stdout).toContain('401 Unauthorized\n{"code":401,"message":"Unauthorized: ***"}\n')
    expect(stdout).not.toContain(TOKEN)
  })

  it('exits with 1 and says why when nothing answers', async () => {
    const closed = await freePort()
    const url = `http://127.0.0.1:${closed}/vod/callback?token=${TOKEN}`

    const { code, stdout, stderr } = await runScript('send', [FIXTURE, '--url', url])

    expect(code).toBe(1)
    expect(stderr).toBe(
      `No answer from http://127.0.0.1:${closed}/vod/callback?token=***: connect ECONNREFUSED 127.0.0.1:${closed}\n`,
    )
    expect(stdout + stderr).not.toContain(TOKEN)
  })

  it('exits with 1 when the file cannot be read, and 2 on a wrong command line', async () => {
    const missing = await runScript('send', ['tests/fixtures/none.json'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^Could not read tests\/fixtures\/none\.json: ENOENT/)

    const wrong = await runScript('send', [])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/^give the body file to send\n\nUsage: npm run send/)
    expect(received).toStrictEqual([])
  })
})
