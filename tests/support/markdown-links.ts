import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

/** One link of a page that leads nowhere: the page, the link as written, and why. */
export type BrokenLink = { page: string; link: string; problem: string }

/** The lines of a Markdown page outside its fenced code blocks. */
function proseLines(markdown: string): string[] {
  let fenced = false
  return markdown.split('\n').filter((line) => {
    if (line.trimStart().startsWith('```')) fenced = !fenced
    return !fenced && !line.trimStart().startsWith('```')
  })
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
function githubSlug(heading: string): string {
  return heading
    .replace(/<[^>]*>/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-')
}

/**
 * Every anchor a page offers: each heading's GitHub slug (a repeated one numbered `-1`, `-2` ...)
 * and each explicit `<a id="...">`, the stable kind the runbook uses for the alarms.
 */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of proseLines(markdown)) {
    for (const match of line.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(match[1] ?? '')
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1]
    if (heading === undefined) continue
    const slug = githubSlug(heading)
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return anchors
}

/** The targets of a page's links that stay in the repository (no scheme, no code span). */
function relativeLinksOf(markdown: string): string[] {
  return proseLines(markdown)
    .map((line) => line.replace(/`[^`]*`/g, ''))
    .flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? ''))
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
}

/**
 * The links of `page` (a path under `root`) whose file does not exist, or whose anchor is not
 * in the Markdown page it names.
 */
export function brokenLinks(root: string, page: string): BrokenLink[] {
  const text = readFileSync(join(root, page), 'utf8')
  return relativeLinksOf(text).flatMap((link) => {
    const [path = '', anchor] = link.split('#')
    const target = path === '' ? join(root, page) : join(root, dirname(page), path)
    if (relative(root, target).startsWith('..') || !existsSync(target)) {
      return [{ page, link, problem: 'no such file' }]
    }
    if (anchor === undefined || !target.endsWith('.md')) return []
    if (anchorsOf(readFileSync(target, 'utf8')).has(anchor)) return []
    return [{ page, link, problem: `no anchor #${anchor} in ${relative(root, target)}` }]
  })
}
