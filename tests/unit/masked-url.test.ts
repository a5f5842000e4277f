import { describe, expect, it } from 'vitest'
import { maskUrl } from '../../lib/forward/masked-url'

describe('maskUrl', () => {
  it('replaces the user, the password and every query value, keeping where the URL points', () => {
    expect(maskUrl('http://hook-user:s3cret@127.0.0.1:9000/hook?key=secret&sig=a1&sig=b2')).toBe(
      'http://***:***@127.0.0.1:9000/hook?key=***&sig=***&sig=***',
    )
  })

  it('masks a user without a password, a query name without a value and the fragment', () => {
    expect(maskUrl('https://token123@events.example.com/vod/callback?debug&key=k#sig=abc')).toBe(
      'https://***@events.example.com/vod/callback?debug=***&key=***#***',
    )
  })

  it('masks encoded secrets whole, not only their plain characters', () => {
    const masked = maskUrl('http://us%40er:p%3Ass@127.0.0.1:4000/?key=a%26b%3Dc&token=x+y')
    expect(masked).toBe('http://***:***@127.0.0.1:4000/?key=***&token=***')
  })

  it('leaves a URL without secrets as it is', () => {
    expect(maskUrl('http://127.0.0.1:4000/')).toBe('http://127.0.0.1:4000/')
    expect(maskUrl('https://events.example.com/vod/callback')).toBe(
      'https://events.example.com/vod/callback',
    )
  })

  it('never echoes text that is not an http(s) URL, even one that parses as another scheme', () => {
    for (const text of ['localhost:4000/hook?key=secret', 'user:secret@host', '//u:secret@host/']) {
      expect(maskUrl(text)).toBe('(not an http(s) URL)')
    }
  })
})
