import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScript } from '../support/run-script'

// VOD's API as the command meets it when VOD refuses, with an error code the command has never
// seen: an 8-bit CSI, a right-to-left override and a bell in it.
const HOSTILE = 'InvalidParameter.Evil\u009b2J\u202eexe\u0007'
let vod: Server
let endpoint = ''
let requests = 0

beforeAll(async () => {
  vod = createServer((request, response) => {
    requests++
    request.resume()
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(
      JSON.stringify({
        Response: {
          Error: { Code: HOSTILE, Message: 'refused' },
          RequestId: 'request-1',
        },
      }),
    )
  })
  await new Promise<void>((resolve) => vod.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(vod.address() as AddressInfo).port}`
})

afterAll(() => new Promise((resolve) => vod?.close(resolve)))

describe('npm run reconcile', () => {
  it("stops on VOD's refusal, exit 1, printing its code with control characters escaped", async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString()

    const run = await runScript('reconcile', ['--since', since, '--endpoint', endpoint], {
      TENCENTCLOUD_SECRET_ID: 'AKIDreconcileclitest',
      TENCENTCLOUD_SECRET_KEY: 'reconcile-cli-test-key',
      VOD_REGION: 'ap-guangzhou',
      TABLE_NAME: 'reconcile-cli',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    })

    expect(run.code).toBe(1)
    // Not a code worth another try: asked once, and no retry announced.
    expect(requests).toBe(1)
    expect(run.stderr).not.toContain('retried')
    expect(run.stderr).toContain(
      'stopped: DescribeTasks: InvalidParameter.Evil\\u009b2J\\u202eexe\\u0007\n',
    )
    const output = run.stdout + run.stderr
    expect(['\u009b', '\u202e', '\u0007'].filter((char) => output.includes(char))).toStrictEqual([])
  })
})
