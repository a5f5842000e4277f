import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture } from '../support/fixtures'
import { itemsOf, type LocalStack, startLocalStack } from '../support/local-stack'
import { runScript } from '../support/run-script'
import { signedBody } from '../support/vod-signature'

// `npm start` with CALLBACK_SIGN_KEY set, as a developer would start it.
const TOKEN = 'e2e-signed-token-0123456789'
const TABLE = 'vod-snapshots-e2e-signed'
const SIGN_KEY = 'E2eSignKey0123456789'

let stack: LocalStack

beforeAll(async () => {
  stack = await startLocalStack(TOKEN, TABLE, { env: { CALLBACK_SIGN_KEY: SIGN_KEY } })
}, 90_000)

afterAll(() => stack?.stop())

const inTenMinutes = () => Math.floor(Date.now() / 1000) + 600
const callbackOf = (vodTaskId: string) => {
  const body = fixture<{ data: { vodTaskId: string } }>('legacy-snapshot-success')
  body.data.vodTaskId = vodTaskId
  return body
}
const post = (body: unknown) =>
  fetch(stack.callbackUrl(), { method: 'POST', body: JSON.stringify(body) }).then(
    async (response) => ({ status: response.status, body: await response.json() }),
  )
const UNAUTHORIZED = { status: 401, body: { code: 401, message: 'Unauthorized' } }

describe('npm start with CALLBACK_SIGN_KEY', () => {
  it('stores a correctly signed callback', async () => {
    const body = signedBody(
      callbackOf('CreateSnapshotByTimeOffset-signed'),
      SIGN_KEY,
      inTenMinutes(),
    )
    expect(await post(body)).toStrictEqual({ status: 200, body: { code: 0, stored: 2 } })
    expect(
      await itemsOf(stack.dynamodbEndpoint, TABLE, 'CreateSnapshotByTimeOffset-signed'),
    ).toHaveLength(2)
  })

  it("stores what the banner's `npm run send` line sends from a shell with the key", async () => {
    // The documented example's task; the banner's line sends tests/fixtures/legacy-snapshot-success.json.
    const vodTaskId = 'CreateSnapshotByTimeOffset-1edb7eb88a599d05abe451cfc541cfbd'
    const run = await runScript('send', ['tests/fixtures/legacy-snapshot-success.json'], {
      ...stack.env,
      CALLBACK_TOKEN: TOKEN,
      CALLBACK_SIGN_KEY: SIGN_KEY,
    })

    expect({ code: run.code, stderr: run.stderr }).toStrictEqual({ code: 0, stderr: '' })
    expect(run.stdout).toContain('signed with the first CALLBACK_SIGN_KEY')
    expect(run.stdout).toContain('200 OK\n{"code":0,"stored":2}\n')
    expect(run.stdout).not.toContain(SIGN_KEY)
    expect(await itemsOf(stack.dynamodbEndpoint, TABLE, vodTaskId)).toHaveLength(2)
  }, 30_000)

  it.each([
    ['unsigned', (body: object) => body],
    ['signed with another key', (body: object) => signedBody(body, 'AnotherKey1', inTenMinutes())],
    ['expired', (body: object) => signedBody(body, SIGN_KEY, inTenMinutes() - 3600)],
    [
      'whose T was altered',
      (body: object) => ({ ...signedBody(body, SIGN_KEY, inTenMinutes()), T: inTenMinutes() + 60 }),
    ],
  ])('answers 401 to a callback %s, storing nothing', async (name, sign) => {
    const vodTaskId = `CreateSnapshotByTimeOffset-${name.replaceAll(' ', '-')}`
    expect(await post(sign(callbackOf(vodTaskId)))).toStrictEqual(UNAUTHORIZED)
    expect(await itemsOf(stack.dynamodbEndpoint, TABLE, vodTaskId)).toStrictEqual([])
    expect(stack.output()).not.toContain(SIGN_KEY)
  })
})
