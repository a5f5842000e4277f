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

// Every cell has the same frame, loaded or not, so the rows line up. IDs and URLs may break
// anywhere (they have no spaces); prose breaks between words only. "Failed only" is a :target
// rule: the page has no script.
const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.3rem; }
.id { overflow-wrap: anywhere; }
nav a { margin-right: .6rem; }
.failures { margin: 1rem 0; padding: .5rem .75rem; border-left: 4px solid #c00; background: #fee; }
.failures summary { cursor: pointer; font-weight: 600; }
.failures a { font-family: ui-monospace, monospace; display: inline-block; margin: .15rem .5rem .15rem 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 1rem; align-items: start; }
#failed-only:target figure:not(.failed) { display: none; }
figure { margin: 0; scroll-margin-top: 1rem; }
figure:target .frame { outline: 3px solid #06c; }
figcaption { font-family: ui-monospace, monospace; margin-top: .25rem; }
.task { display: block; color: #666; font-size: .8em; }
.frame { aspect-ratio: 16 / 9; display: flex; align-items: center; justify-content: center;
  text-align: center; padding: .5rem; box-sizing: border-box; overflow: hidden; }
.frame:has(img) { padding: 0; }
.frame img { display: block; width: 100%; height: 100%; object-fit: contain;
  background: #eee; font-size: .85em; }
.ok .frame { background: #eee; border: 1px solid #ccc; color: #555; text-decoration: none; }
.failed .frame { border: 2px solid #c00; background: #fee; color: #900; }
.missing .frame { border: 2px dashed #999; background: #f6f6f6; }`

const anchorOf = (index: number) => `shot-${index + 1}`

/** The frame of a screenshot: its thumbnail, or a box saying why there is none. */
function renderFrame(item: SnapshotItem, offset: string): { kind: string; frame: string } {
  if (item.status !== 0) {
    const reason = escapeHtml(`failed: ${describeStatus(item.status)}`)
    return { kind: 'failed', frame: `<div class="frame"><span>${reason}</span></div>` }
  }
  const src = imageSource(item.url)
  if (!src) {
    const reason =
      item.url === undefined
        ? 'no URL stored'
        : `not an http(s) URL: <span class="id">${escapeHtml(item.url)}</span>`
    return { kind: 'missing', frame: `<div class="frame"><span>${reason}</span></div>` }
  }
  const href = escapeHtml(src)
  // The alt text shows inside the frame when the image does not load.
  const alt = `screenshot at ${escapeHtml(offset)} (not loaded)`
  const img = `<img src="${href}" alt="${alt}" loading="lazy" decoding="async">`
  return { kind: 'ok', frame: `<a class="frame" href="${href}">${img}</a>` }
}

/** One screenshot: its frame, then its time offset (and task, on a video's sheet). */
function renderShot(item: SnapshotItem, index: number, withTask: boolean): string {
  const offset = formatOffset(item.timeOffset)
  const task = withTask ? `<span class="task id">${escapeHtml(item.vodTaskId)}</span>` : ''
  const { kind, frame } = renderFrame(item, offset)
  const label = `<figcaption>${escapeHtml(offset)}${task}</figcaption>`
  return `<figure class="${kind}" id="${anchorOf(index)}">${frame}${label}</figure>`
}

/** Links to every failed screenshot, open when short enough to read at once. */
function renderFailureLinks(items: readonly SnapshotItem[], failed: number): string {
  if (failed === 0) return ''
  const links = items.flatMap((item, index) =>
    item.status === 0
      ? []
      : [
          `<a href="#${anchorOf(index)}" title="${escapeHtml(describeStatus(item.status))}">${formatOffset(item.timeOffset)}</a>`,
        ],
  )
  return `<details class="failures"${failed <= 100 ? ' open' : ''}>
<summary>${failed} failed: jump to one</summary>
${links.join('\n')}
</details>`
}

/**
 * One self-contained HTML page with every screenshot (in the given order) as a lazily loaded
 * thumbnail in a frame of fixed shape above its time offset, failures as a `failed: <meaning>`
 * frame, and a header with the task or file ID, the counts, links to every failure and a
 * "failed only" view. Every stored value is escaped; only http(s) URLs become `src`.
 */
export function renderContactSheet(
  items: readonly SnapshotItem[],
  subject: ContactSheetSubject,
): string {
  const { total, ok, failed } = countResults(items)
  const title = `Screenshots of ${subject.kind === 'task' ? 'task' : 'video'} ${subject.id}`
  const heading = `Screenshots of ${subject.kind === 'task' ? 'task' : 'video'} <span class="id">${escapeHtml(subject.id)}</span>`
  const shots = items.map((item, index) => renderShot(item, index, subject.kind === 'file'))
  const views =
    failed === 0
      ? ''
      : '<nav><a href="#failed-only">show failed only</a><a href="#all">show all</a></nav>'
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
<body id="all">
<header>
<h1>${heading}</h1>
<p class="counts">total: ${total} &middot; ok: ${ok} &middot; failed: ${failed}</p>
${views}
${renderFailureLinks(items, failed)}
</header>
<main class="grid" id="failed-only">
${shots.join('\n')}
</main>
</body>
</html>
`
}
