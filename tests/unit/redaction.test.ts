import { describe, expect, it } from 'vitest'
import { vodEventEntry } from '../../lib/forward/vod-event-entry'
import { redactingLogger } from '../../lib/runtime/log'
import { redactSecrets, secretPattern, urlSecrets } from '../../lib/runtime/redaction'
import { captureLogger } from '../support/capture-logger'

const TOKEN = 'tok-0123456789/abc'
const json = (text: string) =>
  Array.from(
    { length: text.length },
    (_, i) => `\\u${text.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase()}`,
  ).join('')

describe('redactSecrets', () => {
  it.each([
    ['as it is', TOKEN],
    ['with JSON escapes', json(TOKEN)],
    ['with URL escapes', encodeURIComponent(TOKEN).replace(/-/g, '%2d')],
    ['with some characters escaped', `tok-\\u0030123456789\\/abc`],
    ['percent-encoded in lower case', 'tok%2d0123456789%2fabc'],
  ])('replaces a secret written %s', (_, spelled) => {
    expect(redactSecrets(`before ${spelled} after`, [TOKEN])).toBe('before [REDACTED] after')
  })

  it('replaces a secret outside the Basic Multilingual Plane, escaped as a surrogate pair', () => {
    const key = 'key-😀-9999'
    expect(redactSecrets(`x${json(key)}y`, [key])).toBe('x[REDACTED]y')
    expect(redactSecrets(`x${encodeURIComponent(key)}y`, [key])).toBe('x[REDACTED]y')
  })

  it('leaves other text alone, and ignores secrets too short to be secrets', () => {
    expect(redactSecrets('tok-0123456789/abd', [TOKEN])).toBe('tok-0123456789/abd')
    expect(secretPattern(['', 'abc'])).toBeUndefined()
  })

  it('reads the credentials and query values of a URL as secrets', () => {
    expect(urlSecrets('https://user:p%40ss@example.com/hook?key=k3y-value&x=1')).toEqual([
      'k3y-value',
      '1',
      'p@ss',
      'user',
    ])
    expect(urlSecrets('not a url')).toEqual([])
    expect(urlSecrets('http://u%zz:p%zz@example.com/')).toEqual(['p%zz', 'u%zz'])
  })
})

describe('redactingLogger', () => {
  it('redacts keys and nested values in every spelling', () => {
    const logger = captureLogger()
    redactingLogger(logger, [TOKEN]).warn('event forward retried', {
      detailType: TOKEN,
      [TOKEN]: 1,
      detail: { body: `{"EventType":"${json(TOKEN)}"}`, list: [encodeURIComponent(TOKEN)] },
    })
    expect(logger.lines[0]?.fields).toStrictEqual({
      detailType: '[REDACTED]',
      '[REDACTED]': 1,
      detail: { body: '{"EventType":"[REDACTED]"}', list: ['[REDACTED]'] },
    })
  })
})

describe('detail-types', () => {
  it('are event types VOD documents, never another word a body names', () => {
    expect(vodEventEntry('NewFileUpload', '{}', 'bus').DetailType).toBe('NewFileUpload')
    expect(vodEventEntry(TOKEN, '{}', 'bus').DetailType).toBe('VodEvent')
    expect(vodEventEntry('plainword0123456789', '{}', 'bus').DetailType).toBe('VodEvent')
  })
})
