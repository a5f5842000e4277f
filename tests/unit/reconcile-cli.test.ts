import { describe, expect, it } from 'vitest'
import { terminalProgress } from '../../lib/operator/progress'
import { UsageError } from '../../lib/operator/usage-error'
import type { ReconcileReport } from '../../lib/reconcile/reconcile'
import {
  describeReconcile,
  parseReconcileArgs,
  reconcileProgressLine,
} from '../../lib/reconcile/reconcile-cli'

const NOW = new Date('2026-12-04T12:00:00Z')
const ENV = {
  TENCENTCLOUD_SECRET_ID: 'AKIDexample',
  TENCENTCLOUD_SECRET_KEY: 'secret-key-never-printed',
  VOD_REGION: 'ap-guangzhou',
}
const parse = (argv: string[], env: Record<string, string> = ENV) =>
  parseReconcileArgs(argv, env, () => NOW)
const usage = (argv: string[], env?: Record<string, string>) => {
  try {
    parse(argv, env)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as Error).message
  }
  throw new Error('no usage error')
}

describe('npm run reconcile arguments', () => {
  it('reads the window, the local stack and the flags', () => {
    expect(
      parse(['--since', '2026-12-04T10:00:00Z', '--local', '--dry-run', '--json']),
    ).toMatchObject({
      since: new Date('2026-12-04T10:00:00Z'),
      until: NOW,
      endpoint: 'http://127.0.0.1:9400',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      tableName: 'vod-snapshots',
      dryRun: true,
      json: true,
    })
  })

  it("--local with nothing set: the stack's VOD stand-in on VOD_PORT, its key and ap-guangzhou", () => {
    expect(
      parse(['--since', '2026-12-04T10:00:00Z', '--local'], { VOD_PORT: '9401' }),
    ).toMatchObject({
      credentials: { secretId: 'AKIDfakeVodSecretId', secretKey: 'fakeVodSecretKey' },
      region: 'ap-guangzhou',
      endpoint: 'http://127.0.0.1:9401',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      s3Endpoint: 'http://127.0.0.1:9324',
      quarantineBucket: 'vod-snapshots-quarantine',
    })
  })

  it('--local: --endpoint, then VOD_ENDPOINT, before the stand-in; the key set before its key', () => {
    const since = ['--since', '2026-12-04T10:00:00Z', '--local']
    const env = { ...ENV, VOD_ENDPOINT: 'vod.intl.tencentcloudapi.com', VOD_PORT: '9401' }
    expect(parse([...since, '--endpoint', 'http://127.0.0.1:9500'], env)).toMatchObject({
      endpoint: 'http://127.0.0.1:9500',
      credentials: { secretId: 'AKIDexample', secretKey: 'secret-key-never-printed' },
    })
    expect(parse(since, env)).toMatchObject({ endpoint: 'vod.intl.tencentcloudapi.com' })
  })

  it('refuses a --since past VOD’s 72 hours, naming the limit', () => {
    expect(usage(['--since', '2026-12-01T11:59:00Z'])).toContain('72 hours')
    expect(parse(['--since', '2026-12-01T12:00:00Z'])).toMatchObject({ until: NOW })
  })

  it('refuses a missing or zoneless --since, an --until before it, and a missing key', () => {
    expect(usage([])).toContain('--since')
    expect(usage(['--since', '2026-12-04T10:00:00'])).toContain('ISO 8601')
    expect(usage(['--since', '2026-12-04T10:00:00Z', '--until', '2026-12-04T09:00:00Z'])).toContain(
      'after --since',
    )
    const message = usage(['--since', '2026-12-04T10:00:00Z'], { VOD_REGION: 'ap-guangzhou' })
    expect(message).toContain('TENCENTCLOUD_SECRET_ID')
  })

  it('says what it found in one line, and prints only plain task types', () => {
    const report: ReconcileReport = {
      since: '2026-12-04T10:00:00Z',
      until: '2026-12-04T12:00:00Z',
      listed: 12,
      examined: 9,
      skipped: { Transcode: 2, '\u001b[2Jx': 1 },
      found: 40,
      present: 31,
      recovered: 9,
      invalid: 0,
      vanished: 0,
      complete: true,
    }
    const line = describeReconcile(report, false)
    expect(line).toBe(
      '2026-12-04T10:00:00Z to 2026-12-04T12:00:00Z: 12 tasks listed, 9 examined, 3 skipped ' +
        '(Transcode 2, ? 1), 40 results found, 31 already present, 9 recovered',
    )
    expect(describeReconcile(report, true)).toContain('9 missing (dry run: nothing written)')
  })
})

describe('reconcile progress', () => {
  const page = (listed: number): ReconcileReport => ({
    since: '2026-12-04T10:00:00Z',
    until: '2026-12-04T12:00:00Z',
    listed,
    examined: listed / 2,
    skipped: {},
    found: listed,
    present: listed / 2,
    recovered: listed / 4,
    invalid: 0,
    vanished: 0,
    complete: false,
  })
  /** One page of 100 tasks every 2 s for 12 s, as scripts/reconcile.ts shows them. */
  function pagesWithStderr(isTTY: boolean) {
    const written: string[] = []
    let ms = 0
    const show = terminalProgress(
      { isTTY, write: (text: string) => written.push(text) },
      { everyMs: 5000, now: () => ms },
    )
    for (let n = 1; n <= 6; n++) {
      ms += 2000
      show(() => reconcileProgressLine(page(n * 100)))
    }
    return written
  }

  it('shows a line every 5 s of a long run when stderr is a terminal', () => {
    expect(pagesWithStderr(true)).toStrictEqual([
      'progress: 300 tasks listed, 150 examined, 75 recovered\n',
      'progress: 600 tasks listed, 300 examined, 150 recovered\n',
    ])
  })

  it('shows none when stderr is a log or a pipe: only the report', () => {
    expect(pagesWithStderr(false)).toStrictEqual([])
  })
})
