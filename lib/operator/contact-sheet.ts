import { describeStatus } from '../events/error-codes'
import type { SnapshotItem } from '../store/snapshot-item'
import { countResults, formatOffset } from './snapshot-table'

/** Whose screenshots a contact sheet shows. */
export interface ContactSheetSubject {
  kind: 'task' | 'file'
  id: string
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char)
}

/**
 * The URL, normalised, when it is an absolute http or https URL; otherwise undefined, so that a
 * stored `javascript:` or `data:` URL never reaches an attribute.
 */
export function imageSource(url: string | undefined): string | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined
  const parsed = new URL(url)
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined
}

// No script at all, images only over http(s), nothing else loaded: the page stays inert even if
// escaping were ever wrong.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src http: https:; style-src 'unsafe-inline'"

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.3rem; word-break: break-all; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 1rem; }
figure { margin: 0; }
figcaption { font-family: ui-monospace, monospace; margin-bottom: .25rem; }
.task { display: block; color: #666; font-size: .8em; word-break: break-all; }
img { width: 100%; aspect-ratio: 16 / 9; object-fit: contain; background: #eee; }
.box { aspect-ratio: 16 / 9; padding: .5rem; overflow: auto; word-break: break-all; }
.failed .box { border: 2px solid #c00; background: #fee; color: #900; }
.missing .box { border: 2px dashed #999; background: #f6f6f6; }`

/** One screenshot: its offset label, then its thumbnail or a box saying why there is none. */
function renderShot(item: SnapshotItem, withTask: boolean): string {
  const offset = formatOffset(item.timeOffset)
  const task = withTask ? `<span class="task">${escapeHtml(item.vodTaskId)}</span>` : ''
  const label = `<figcaption>${escapeHtml(offset)}${task}</figcaption>`
  if (item.status !== 0) {
    const reason = `failed: ${describeStatus(item.status)}`
    return `<figure class="failed">${label}<div class="box">${escapeHtml(reason)}</div></figure>`
  }
  const src = imageSource(item.url)
  if (!src) {
    const reason = item.url === undefined ? 'no URL stored' : `not an http(s) URL: ${item.url}`
    return `<figure class="missing">${label}<div class="box">${escapeHtml(reason)}</div></figure>`
  }
  const href = escapeHtml(src)
  const img = `<img src="${href}" alt="screenshot at ${escapeHtml(offset)}" loading="lazy" decoding="async">`
  return `<figure class="ok">${label}<a href="${href}">${img}</a></figure>`
}

/**
 * One self-contained HTML page with every screenshot (in the given order) as a lazily loaded
 * thumbnail under its time offset, failures as a `failed: <meaning>` box, and a header with the
 * task or file ID and the counts. Every stored value is escaped; only http(s) URLs become `src`.
 */
export function renderContactSheet(
  items: readonly SnapshotItem[],
  subject: ContactSheetSubject,
): string {
  const { total, ok, failed } = countResults(items)
  const title = `Screenshots of ${subject.kind === 'task' ? 'task' : 'video'} ${subject.id}`
  const shots = items.map((item) => renderShot(item, subject.kind === 'file'))
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}
</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="counts">total: ${total} &middot; ok: ${ok} &middot; failed: ${failed}</p>
</header>
<main class="grid">
${shots.join('\n')}
</main>
</body>
</html>
`
}
