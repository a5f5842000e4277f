import { describeStatus } from '../events/error-codes'
import type { SnapshotItem } from '../store/snapshot-item'
import { forTerminal } from './terminal-text'

/**
 * A time offset in ms as `h:mm:ss.mmm`, e.g. 3123213 -> `0:52:03.213`; hours are not capped. A
 * task flow's fractional ms keep their digits after the ms: 10000.5 -> `0:00:10.0005`.
 */
export function formatOffset(ms: number): string {
  const whole = Math.max(0, Math.trunc(ms))
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  const hours = Math.floor(whole / 3_600_000)
  const minutes = Math.floor(whole / 60_000) % 60
  const seconds = Math.floor(whole / 1000) % 60
  // The digits as the number prints them, so nothing is rounded: 10000.5 gives "5" (and a tiny
  // offset such as 1e-7, which prints as an exponent, its fixed-point digits).
  const text = String(ms)
  const decimals = text.includes('e') ? ms.toFixed(20).replace(/0+$/, '') : text
  const fraction = ms > whole ? (decimals.split('.')[1] ?? '') : ''
  return `${hours}:${pad(minutes)}:${pad(seconds)}.${pad(whole % 1000, 3)}${fraction}`
}

/** How many screenshots there are, and how many succeeded and failed. */
export function countResults(items: readonly SnapshotItem[]) {
  const ok = items.filter((item) => item.status === 0).length
  return { total: items.length, ok, failed: items.length - ok }
}

/** `3 screenshots: 2 OK, 1 failed`. */
export function describeCounts(items: readonly SnapshotItem[]): string {
  const { total, ok, failed } = countResults(items)
  return `${total} screenshot${total === 1 ? '' : 's'}: ${ok} OK, ${failed} failed`
}

/** What to show besides offset, status and URL. */
export interface TableOptions {
  /** A task column: a video's screenshots can come from several tasks. */
  withTask?: boolean
}

/**
 * A plain-text table, one line per screenshot in the given order (offset as `h:mm:ss.mmm`,
 * status with its meaning, URL or `-`), then the counts. Columns are padded to line up. Stored
 * strings are whatever VOD sent: they are escaped for a terminal ({@link forTerminal}).
 */
export function renderTable(items: readonly SnapshotItem[], options: TableOptions = {}): string {
  const header = ['offset', ...(options.withTask ? ['task'] : []), 'status', 'url']
  const rows = items.map((item) => [
    formatOffset(item.timeOffset),
    ...(options.withTask ? [forTerminal(item.vodTaskId)] : []),
    describeStatus(item.status),
    item.url === undefined ? '-' : forTerminal(item.url),
  ])
  // reduce, not Math.max(...): a video can have more rows than a call takes arguments.
  const widths = header.map((_, i) =>
    rows.reduce((width, row) => Math.max(width, row[i]?.length ?? 0), header[i]?.length ?? 0),
  )
  const line = (row: string[]) =>
    row
      // Offsets right-aligned, so that hours of different widths still line up.
      .map((cell, i) => {
        if (i === 0) return cell.padStart(widths[0] ?? 0)
        return i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)
      })
      .join('  ')
  return [line(header), ...rows.map(line), '', describeCounts(items)].join('\n')
}
