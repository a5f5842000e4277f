import { describe, expect, it } from 'vitest'
import {
  localCallbackUrl,
  maskToken,
  parseSendArgs,
  redactToken,
  sendCallback,
} from '../../lib/operator/send-cli'
import { UsageError } from '../../lib/operator/usage-error'

describe('parseSendArgs', () => {
  it('sends to the local stack by default, with the variables npm start reads', () => {
    expect(parseSendArgs(['body.json'], {})).toStrictEqual({
      file: 'body.json',
      url: 'http://127.0.0.1:3000/vod/callback?token=local-development-token',
    })
    expect(parseSendArgs(['body.json'], { PORT: '3100', CALLBACK_TOKEN: 'a&b c' })).toStrictEqual({
      file: 'body.json',
      url: 'http://127.0.0.1:3100/vod/callback?token=a%26b%20c',
    })
  })

  it('sends to the URL given', () => {
    const url = 'https://api.example/vod/callback?token=secret-token-0123456789'
    expect(parseSendArgs(['--url', url, 'body.json'], {})).toStrictEqual({ file: 'body.json', url })
  })

  it('answers help to --help', () => {
    expect(parseSendArgs(['--help'], {})).toBe('help')
  })

  it.each([
    ['no file', [], 'give the body file'],
    ['two files', ['a.json', 'b.json'], 'one file at a time'],
    ['an unknown option', ['a.json', '--token', 'x'], "Unknown option '--token'"],
    ['a URL that is not http', ['a.json', '--url', 'file:///etc/passwd'], 'http or https URL'],
    ['a URL that is no URL', ['a.json', '--url', 'localhost:3000'], 'http or https URL'],
  ])('refuses %s with a usage error', (_, argv, message) => {
    expect(() => parseSendArgs(argv, {})).toThrow(UsageError)
    expect(() => parseSendArgs(argv, {})).toThrow(message)
  })
})

describe('maskToken', () => {
  it('hides the token and keeps the rest of the URL', () => {
    expect(maskToken(localCallbackUrl({}))).toBe('http://127.0.0.1:3000/vod/callback?token=***')
    expect(maskToken('https://h.example/cb?a=1&token=s3cret-0123456789&b=2')).toBe(
      'https://h.example/cb?a=1&token=***&b=2',
    )
  })

  it('leaves a URL without token as it is', () => {
    expect(maskToken('http://127.0.0.1:3000/vod/callback')).toBe(
      'http://127.0.0.1:3000/vod/callback',
    )
  })
})

describe('redactToken', () => {
  it('removes the token, raw and encoded, from text that echoes it', () => {
    const url = 'http://h/cb?token=a%2Fsecret%2F0123456789'
    expect(redactToken('got a/secret/0123456789 and a%2Fsecret%2F0123456789', url)).toBe(
      'got *** and ***',
    )
  })
})

describe('sendCallback', () => {
  it('POSTs the bytes as the body, adds no Content-Type and returns status and text', async () => {
    const calls: [string, RequestInit | undefined][] = []
    const fakeFetch = (async (url: string, init?: RequestInit) => {
      calls.push([url, init])
      return new Response('{"code":0,"stored":2}', { status: 200, statusText: 'OK' })
    }) as typeof fetch
    const body = new TextEncoder().encode('{"version":"4.0"}')

    const answer = await sendCallback('http://h/cb?token=t', body, fakeFetch)

    expect(calls).toStrictEqual([['http://h/cb?token=t', { method: 'POST', body }]])
    expect(answer).toStrictEqual({ status: 200, statusText: 'OK', body: '{"code":0,"stored":2}' })
  })
})
