import { describe, expect, it } from 'vitest'
import { describeStatus, vodErrorMeaning } from '../../lib/events/error-codes'
import { describeCounts, formatOffset, renderTable } from '../../lib/operator/snapshot-table'
import { snapshotItem } from '../support/snapshot-items'

describe('formatOffset', () => {
  it.each([
    [0, '0:00:00.000'],
    [7, '0:00:00.007'],
    [1000, '0:00:01.000'],
    [61_001, '0:01:01.001'],
    [3_123_213, '0:52:03.213'],
    [3_600_000, '1:00:00.000'],
    [36_000_000 + 59 * 60_000 + 59_999, '10:59:59.999'],
    [250 * 3_600_000, '250:00:00.000'],
  ])('shows %i ms as %s', (ms, text) => {
    expect(formatOffset(ms)).toBe(text)
  })

  it.each([
    [10_000.5, '0:00:10.0005'],
    [3_500.25, '0:00:03.50025'],
    [0.5, '0:00:00.0005'],
    [1e-7, '0:00:00.0000000001'],
    [3_123_213.125, '0:52:03.213125'],
  ])("shows a task flow's fractional %d ms as %s, every digit kept", (ms, text) => {
    expect(formatOffset(ms)).toBe(text)
  })
})

describe('describeStatus', () => {
  it.each([
    [0, 'OK'],
    [40000, 'error 40000: invalid input parameter'],
    [60000, 'error 60000: source file error (e.g. corrupt video data)'],
    [70000, 'error 70000: internal VOD error, retry'],
    [-44001, 'error -44001: screenshot: ffmpeg reports the file is corrupt'],
    [-44098, 'error -44098: screenshot: end of file'],
    [-44099, 'error -44099: screenshot: seek outside the actual file size'],
    [-44129, 'error -44129: screenshot info: ffmpeg failed to decode'],
    [-47402, 'error -47402: source file has no video data'],
  ])('describes the documented code %i', (status, text) => {
    expect(describeStatus(status)).toBe(text)
  })

  it.each([-46204, -44002, -44100, -44200, -43001, -1, 1, 99999])(
    'shows the undocumented code %i as a bare error code',
    (status) => {
      expect(vodErrorMeaning(status)).toBeUndefined()
      expect(describeStatus(status)).toBe(`error ${status}`)
    },
  )
})

describe('renderTable', () => {
  it('lines up offset, status and URL, and ends with the counts', () => {
    const items = [
      snapshotItem(1000),
      snapshotItem(1_000_000, { status: -46204 }),
      snapshotItem(36_000_000, { status: -44098 }),
    ]
    expect(renderTable(items)).toBe(
      [
        '      offset  status                                 url',
        ' 0:00:01.000  OK                                     http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/1000.png',
        ' 0:16:40.000  error -46204                           -',
        '10:00:00.000  error -44098: screenshot: end of file  -',
        '',
        '3 screenshots: 1 OK, 2 failed',
      ].join('\n'),
    )
  })

  it('adds a task column for the screenshots of a video', () => {
    const items = [snapshotItem(0, { vodTaskId: 'task-a' }), snapshotItem(0, { vodTaskId: 'b' })]
    expect(renderTable(items, { withTask: true }).split('\n').slice(0, 3)).toStrictEqual([
      '     offset  task    status  url',
      '0:00:00.000  task-a  OK      http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/0.png',
      '0:00:00.000  b       OK      http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/0.png',
    ])
  })

  it('never prints control characters from stored values', () => {
    const table = renderTable([snapshotItem(0, { url: 'http://x/\u001b]0;owned\u0007.png' })])
    expect(table).not.toContain('\u001b')
    expect(table).not.toContain('\u0007')
    expect(table).toContain('http://x/\\u001b]0;owned\\u0007.png')
  })

  it('counts one screenshot in the singular and none as zero', () => {
    expect(describeCounts([snapshotItem(0)])).toBe('1 screenshot: 1 OK, 0 failed')
    expect(describeCounts([])).toBe('0 screenshots: 0 OK, 0 failed')
  })

  it('keeps printable text as it is', () => {
    const table = renderTable([snapshotItem(0, { url: 'http://例え.jp/a b.png' })])
    expect(table).toContain(' http://例え.jp/a b.png\n')
  })
})
