import { describe, expect, it } from 'vitest'
import { createTokenCheck } from '../../lib/receive/callback-token'

describe('createTokenCheck', () => {
  const check = createTokenCheck(['first-token-0123456789', 'second-token-9876543210'])

  it('accepts each configured token exactly', () => {
    expect(check('first-token-0123456789')).toBe(true)
    expect(check('second-token-9876543210')).toBe(true)
  })

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['a prefix', 'first-token'],
    ['longer', 'first-token-0123456789-and-more'],
    ['differently cased', 'FIRST-TOKEN-0123456789'],
    ['a non-ASCII look-alike', 'first‐token‐0123456789'],
    ['very long', 'x'.repeat(100_000)],
  ])('rejects a token that is %s', (_, token) => {
    expect(check(token)).toBe(false)
  })

  it('compares multi-byte tokens by their bytes', () => {
    const unicode = createTokenCheck(['令牌-0123456789-abcdef'])
    expect(unicode('令牌-0123456789-abcdef')).toBe(true)
    expect(unicode('令牌-0123456789-abcdeF')).toBe(false)
  })
})
