import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { anchorsOf, brokenLinks } from '../support/markdown-links'

// The alarms' descriptions point here (their anchors are checked against the packaged template
// in serverless-package.test.ts); this file checks the pages themselves.
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const README_MOST_LINES = 220
// The template's alarms, by name without vod-snapshots-<stage>- (the packaged template's own list
// is checked against the runbook in serverless-package.test.ts).
const ALARMS = [
  'unstored-results',
  'results-only-in-log',
  'events-only-in-log',
  'rejected-callbacks',
  'signature-rejected',
  'quarantined-callbacks',
  'quarantine-failed',
  'storage-outage',
  'forward-failed',
  'callbacks-failed',
  'function-errors',
  'pull-failing',
  'results-recovered',
  'reconcile-failed',
]

async function pages(): Promise<string[]> {
  const docs = (await readdir(join(REPO_ROOT, 'docs'))).filter((name) => name.endsWith('.md'))
  return ['README.md', ...docs.sort().map((name) => `docs/${name}`)]
}

describe('the operator’s manual', () => {
  it(`keeps the README within ${README_MOST_LINES} lines`, async () => {
    const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8')
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(README_MOST_LINES)
  })

  it('has no relative link in the README or docs/ to a missing file or anchor', async () => {
    const broken = (await pages()).flatMap((page) => brokenLinks(REPO_ROOT, page))
    expect(broken).toStrictEqual([])
  })

  it('gives every alarm a runbook section with a stable anchor', async () => {
    const runbook = anchorsOf(await readFile(join(REPO_ROOT, 'docs', 'runbook.md'), 'utf8'))
    expect(ALARMS.filter((alarm) => !runbook.has(alarm))).toStrictEqual([])
  })

  it('finds a link to a missing file, and one to a missing anchor', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vod-snapshots-links-'))
    try {
      await writeFile(
        join(root, 'page.md'),
        [
          '# Page',
          '## <a id="kept"></a>Kept',
          '[here](#kept) [there](page.md#page) [web](https://example.com/x.md)',
          '`[in code](gone.md)`',
          '```sh',
          '[in a block](gone.md)',
          '```',
          '[gone](gone.md) [lost](page.md#lost)',
        ].join('\n'),
      )
      expect(brokenLinks(root, 'page.md')).toStrictEqual([
        { page: 'page.md', link: 'gone.md', problem: 'no such file' },
        { page: 'page.md', link: 'page.md#lost', problem: 'no anchor #lost in page.md' },
      ])
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
