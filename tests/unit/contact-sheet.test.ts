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
    const positions = labels.map((label) => html.indexOf(`<figcaption>${label}</figcaption>`))
    expect(positions.every((position) => position > 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toStrictEqual(positions)
  })

  it('gives every screenshot a frame of the same shape and an anchor of its own', () => {
    expect(html.match(/<figure /g)).toHaveLength(4)
    expect(html.match(/class="frame"/g)).toHaveLength(4)
    expect(attributeValues(html, 'id')).toStrictEqual([
      'all',
      'failed-only',
      'shot-1',
      'shot-2',
      'shot-3',
      'shot-4',
    ])
    expect(html).toContain('.frame { aspect-ratio: 16 / 9;')
  })

  it('shows a lazily loaded thumbnail in the frame of each success, its alt text the placeholder', () => {
    expect(attributeValues(html, 'src')).toStrictEqual([
      'http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/1000.png',
      'http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/3600000.png',
    ])
    expect(attributeValues(html, 'loading')).toStrictEqual(['lazy', 'lazy'])
    expect(attributeValues(html, 'alt')).toStrictEqual([
      'screenshot at 0:00:01.000 (not loaded)',
      'screenshot at 1:00:00.000 (not loaded)',
    ])
    expect(html).toContain(
      '<figure class="ok" id="shot-1"><a class="frame" href="http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/1000.png"><img src=',
    )
  })

  it('marks each failure with a frame giving its meaning instead of an image', () => {
    expect(html).toContain(
      '<figure class="failed" id="shot-2"><div class="frame"><span>failed: error -46204</span></div><figcaption>0:16:40.000</figcaption></figure>',
    )
    expect(html).toContain(
      '<div class="frame"><span>failed: error -44098: screenshot: end of file</span></div>',
    )
  })

  it('links every failure from the top, and offers a view of the failures only', () => {
    const failureLinks = attributeValues(html, 'href').filter((href) => href?.startsWith('#shot-'))
    expect(failureLinks).toStrictEqual(['#shot-2', '#shot-3'])
    expect(html).toContain(
      '<details class="failures" open>\n<summary>2 failed: jump to one</summary>',
    )
    expect(html).toContain('<a href="#failed-only">show failed only</a><a href="#all">show all</a>')
    expect(html).toContain('<main class="grid" id="failed-only">')
    expect(html).toContain('#failed-only:target figure:not(.failed) { display: none; }')
  })

  it('folds the list of failures away when it is long, and has none without failures', () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      snapshotItem(i * 1000, i % 5 === 0 ? { status: -46204 } : {}),
    )
    const long = renderContactSheet(many, { kind: 'task', id: TASK_ID })
    expect(long).toContain('<details class="failures">\n<summary>200 failed: jump to one</summary>')
    expect(long.match(/<a href="#shot-\d+"/g)).toHaveLength(200)
    const clean = renderContactSheet([snapshotItem(0)], { kind: 'task', id: TASK_ID })
    expect(clean).not.toContain('class="failures"')
    expect(clean).not.toContain('href="#failed-only"')
  })

  it('names the task and counts total, ok and failed in the header', () => {
    expect(html).toContain(`<h1>Screenshots of task <span class="id">${TASK_ID}</span></h1>`)
    expect(html).toContain(`<title>Screenshots of task ${TASK_ID}</title>`)
    expect(html).toContain('total: 4 &middot; ok: 2 &middot; failed: 2')
  })

  it('lets only IDs and URLs break anywhere, prose between words', () => {
    expect(html).toContain('.id { overflow-wrap: anywhere; }')
    expect(html.match(/overflow-wrap|word-break/g)).toStrictEqual(['overflow-wrap'])
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
      'Screenshots of video <span class="id">&lt;script&gt;alert(&quot;id&quot;)&lt;/script&gt;</span>',
    )
    expect(page).toContain('<span class="task id">&lt;script&gt;')
    expect(page).toContain('not an http(s) URL: <span class="id">javascript:alert(1)</span>')
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
