import { describe, expect, it } from 'vitest'
import { escapeHtml, imageSource, renderContactSheet } from '../../lib/operator/contact-sheet'
import { snapshotItem, TASK_ID } from '../support/snapshot-items'

/** Every value of an attribute in the page, in document order. */
const attributeValues = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`\\s${name}="([^"]*)"`, 'g'))].map((match) => match[1])

describe('renderContactSheet', () => {
  const items = [
    snapshotItem(1000),
    snapshotItem(1_000_000, { status: -46204 }),
    snapshotItem(3_123_213, { status: -44098 }),
    snapshotItem(3_600_000),
  ]
  const html = renderContactSheet(items, { kind: 'task', id: TASK_ID })

  it('labels every screenshot with its time offset, in order', () => {
    const labels = ['0:00:01.000', '0:16:40.000', '0:52:03.213', '1:00:00.000']
    const positions = labels.map((label) => html.indexOf(`<figcaption>${label}`))
    expect(positions.every((position) => position > 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toStrictEqual(positions)
  })

  it('shows a lazily loaded thumbnail under the offset of each success', () => {
    expect(attributeValues(html, 'src')).toStrictEqual([
      'http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/1000.png',
      'http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/3600000.png',
    ])
    expect(attributeValues(html, 'loading')).toStrictEqual(['lazy', 'lazy'])
    expect(html).toMatch(/<figcaption>0:00:01\.000<\/figcaption><a href="[^"]+"><img src=/)
  })

  it('marks each failure with a box giving its meaning instead of an image', () => {
    expect(html).toContain(
      '<figure class="failed"><figcaption>0:16:40.000</figcaption><div class="box">failed: error -46204</div></figure>',
    )
    expect(html).toContain('<div class="box">failed: error -44098: screenshot: end of file</div>')
  })

  it('names the task and counts total, ok and failed in the header', () => {
    expect(html).toContain(`<h1>Screenshots of task ${TASK_ID}</h1>`)
    expect(html).toContain(`<title>Screenshots of task ${TASK_ID}</title>`)
    expect(html).toContain('total: 4 &middot; ok: 2 &middot; failed: 2')
  })

  it('is one self-contained page that runs no script and loads nothing but the images', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script|<link|@import/i)
    expect(html).toContain(
      `content="default-src 'none'; img-src http: https:; style-src 'unsafe-inline'"`,
    )
  })

  it('escapes a malicious ID and never uses a javascript: URL as a source', () => {
    const evil = '<script>alert("id")</script>'
    const page = renderContactSheet(
      [
        snapshotItem(0, { vodTaskId: evil, url: 'javascript:alert(1)' }),
        snapshotItem(1, { vodTaskId: evil, url: 'http://x/"><script>alert(2)</script>.png' }),
        snapshotItem(2, { vodTaskId: evil, url: null }),
      ],
      { kind: 'file', id: evil },
    )
    expect(page).not.toContain('<script')
    expect(page).toContain(
      'Screenshots of video &lt;script&gt;alert(&quot;id&quot;)&lt;/script&gt;',
    )
    expect(page).toContain('<span class="task">&lt;script&gt;')
    expect(page).toContain('not an http(s) URL: javascript:alert(1)')
    expect(page).toContain('no URL stored')
    expect(attributeValues(page, 'src')).toStrictEqual([
      'http://x/%22%3E%3Cscript%3Ealert(2)%3C/script%3E.png',
    ])
    expect(attributeValues(page, 'href')).toStrictEqual(attributeValues(page, 'src'))
  })
})

describe('imageSource', () => {
  it.each([
    ['http://a.example/x.png', 'http://a.example/x.png'],
    ['HTTPS://A.example/x y.png', 'https://a.example/x%20y.png'],
  ])('accepts the http(s) URL %s', (url, source) => {
    expect(imageSource(url)).toBe(source)
  })

  it.each([
    'javascript:alert(1)',
    ' javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:image/svg+xml,<svg onload=alert(1)>',
    'vbscript:x',
    '//a.example/x.png',
    '/x.png',
    'not a url',
    '',
    undefined,
  ])('refuses %j', (url) => {
    expect(imageSource(url)).toBeUndefined()
  })
})

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    )
  })
})
