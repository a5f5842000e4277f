/**
 * Handler time to answer the most expensive bodies up to the size limit that are rejected: each
 * built to make one step work hardest (validation, JSON parsing, logging, Unicode checks). Side
 * by side, the time JSON.parse alone takes on the same body: what any implementation pays.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { callbackEvent, lambdaContext } from '../tests/support/http-event'
import { median } from './stats'
import { stubHandler, stubProjectClient } from './stub-dynamodb'

const TOKEN = 'bench-reject-token-0123456789'
const MB = 1024 * 1024
const EVENT = 'CreateSnapshotByTimeOffsetComplete'
const legacy = (data: string) =>
  `{"version":"4.0","eventType":"${EVENT}","data":{"vodTaskId":"t","fileId":"1","definition":10,${data}}}`
/** `unit` repeated to fill what is left of a 1 MB body around `wrap`. */
const fill = (wrap: (inner: string) => string, unit: string, joiner = ',') => {
  const room = MB - wrap('').length - 16
  const count = Math.floor(room / (unit.length + joiner.length))
  return wrap(Array.from({ length: count }, () => unit).join(joiner))
}

/** The worst bodies found, each just under 1 MB. */
const HOSTILE_BODIES: Record<string, string> = {
  // The finding: every entry broken, ~330,000 of them.
  empty_pic_info: fill((inner) => legacy(`"picInfo":[${inner}]`), '{}'),
  empty_snapshot_info_set: fill(
    (inner) =>
      `{"EventType":"${EVENT}","SnapshotByTimeOffsetCompleteEvent":{"TaskId":"t","FileId":"1","Definition":10,"SnapshotInfoSet":[${inner}]}}`,
    '{}',
  ),
  // Every result valid but the last: validation cannot stop early.
  broken_last_result: `${fill((inner) => legacy(`"picInfo":[${inner},{}]`), '{"status":0,"timeOffset":1}')}`,
  deep_nesting: legacy(
    `"picInfo":[],"extra":${'['.repeat(MB / 2 - 100)}${']'.repeat(MB / 2 - 100)}`,
  ),
  huge_task_id: legacy(`"picInfo":[],"x":0`).replace(
    '"vodTaskId":"t"',
    `"vodTaskId":"${'t'.repeat(MB - 200)}"`,
  ),
  huge_event_type: `{"EventType":"${'E'.repeat(MB - 100)}"}`,
  lone_surrogates: legacy(`"picInfo":[]`).replace('"t"', `"${'\\ud800'.repeat((MB - 200) / 6)}"`),
  many_keys: fill((inner) => `{"eventType":"${EVENT}",${inner}}`, '"k":0'),
  many_distinct_keys: (() => {
    const keys = Array.from({ length: 90_000 }, (_, i) => `"k${i}":0`).join(',')
    return `{"eventType":"${EVENT}","version":"4.0",${keys}}`
  })(),
  not_json_at_the_end: `${fill((inner) => legacy(`"picInfo":[${inner}]`), '{"status":0,"timeOffset":1}')}x`,
}

export interface RejectFigures {
  /** Median ms of handler time per body. */
  ms: Record<string, number>
  /** Median ms of JSON.parse alone on the same body (NaN where it is not JSON). */
  parseMs: Record<string, number>
  worstMs: number
  worst: string
  statuses: Record<string, number>
}

/** Runs every hostile body `rounds` times through the real handler; medians per body. */
export async function measureReject(rounds = 7): Promise<RejectFigures> {
  // The module reads its configuration when it loads; this handler is given its own.
  process.env.AWS_REGION ??= 'us-east-1'
  process.env.TABLE_NAME ??= 'vod-snapshots-bench'
  process.env.CALLBACK_TOKEN ??= TOKEN
  const { createCallbackHandler } = await import('../lib/receive/callback-handler')
  const { loadConfig } = await import('../lib/runtime/config')
  // Each line serialised as a JSON logger does, and discarded.
  const write = (_: string, fields?: unknown) => void JSON.stringify(fields)
  const handler = createCallbackHandler({
    config: loadConfig({ TABLE_NAME: 'vod-snapshots-bench', CALLBACK_TOKEN: TOKEN }),
    client: stubProjectClient(stubHandler()),
    logger: { info: write, warn: write, error: write },
    metrics: { addMetric: () => {} },
  })
  const context = lambdaContext()
  const ms: Record<string, number> = {}
  const parseMs: Record<string, number> = {}
  const statuses: Record<string, number> = {}
  for (const [name, body] of Object.entries(HOSTILE_BODIES)) {
    const times: number[] = []
    const parses: number[] = []
    for (let round = 0; round < rounds; round++) {
      // A fresh event each time: the JSON parser replaces the body with what it parsed.
      const event: APIGatewayProxyEventV2 = callbackEvent(body, { token: TOKEN })
      const started = performance.now()
      const response = await handler(event, context)
      times.push(performance.now() - started)
      statuses[name] = response?.statusCode ?? 0
      const parseStarted = performance.now()
      try {
        JSON.parse(body)
        parses.push(performance.now() - parseStarted)
      } catch {
        parses.push(Number.NaN)
      }
    }
    ms[name] = median(times)
    parseMs[name] = median(parses)
  }
  const [worst, worstMs] = Object.entries(ms).reduce((a, b) => (b[1] > a[1] ? b : a))
  return { ms, parseMs, worstMs, worst, statuses }
}
