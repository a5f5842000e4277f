import { describe, expect, it } from 'vitest'
import { isEmptyQueueError, vodErrorCode, vodHttpProfile } from '../../lib/pull/vod-client'

describe('vodHttpProfile', () => {
  it('leaves the SDK its default endpoint when none is given', () => {
    expect(vodHttpProfile()).toStrictEqual({})
    expect(vodHttpProfile('')).toStrictEqual({})
  })

  it('reaches a bare host over HTTPS and a URL with its own protocol', () => {
    expect(vodHttpProfile('vod.intl.tencentcloudapi.com')).toStrictEqual({
      endpoint: 'vod.intl.tencentcloudapi.com',
      protocol: 'https://',
    })
    expect(vodHttpProfile('http://127.0.0.1:9000')).toStrictEqual({
      endpoint: '127.0.0.1:9000',
      protocol: 'http://',
    })
    expect(vodHttpProfile('https://vod.tencentcloudapi.com/')).toStrictEqual({
      endpoint: 'vod.tencentcloudapi.com',
      protocol: 'https://',
    })
  })

  it.each([
    'ftp://vod.example',
    'http://127.0.0.1:9000/api',
    'http://127.0.0.1:9000/?x=1',
    'http://user@vod.example',
    'not a host',
  ])('refuses %s: the SDK posts to protocol + host + /', (endpoint) => {
    expect(() => vodHttpProfile(endpoint)).toThrow(/host or an http\(s\) URL without a path/)
  })
})

describe('errors of the VOD API', () => {
  const sdkError = (code?: string) => Object.assign(new Error('from VOD'), { code })

  it('reads the code VOD answered with, and none from a network error', () => {
    expect(vodErrorCode(sdkError('InternalError'))).toBe('InternalError')
    expect(vodErrorCode(sdkError(undefined))).toBeUndefined()
    expect(vodErrorCode(new Error('network timeout at: http://127.0.0.1/'))).toBeUndefined()
    expect(vodErrorCode(null)).toBeUndefined()
  })

  it('takes ResourceNotFound, and only it, for an empty queue', () => {
    expect(isEmptyQueueError(sdkError('ResourceNotFound'))).toBe(true)
    expect(isEmptyQueueError(sdkError('ResourceNotFound.NoEvent'))).toBe(true)
    expect(isEmptyQueueError(sdkError('InternalError'))).toBe(false)
    expect(isEmptyQueueError(sdkError('ResourceNotFoundish'))).toBe(false)
    expect(isEmptyQueueError(new Error('ResourceNotFound'))).toBe(false)
  })
})
