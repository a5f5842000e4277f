/**
 * Handler time to answer the most expensive bodies up to the size limit that are rejected: each
 * built to make one step work hardest (validation, JSON parsing, logging, Unicode checks). Side
 * by side, the time JSON.parse alone takes on the same body: what any implementation pays.
 * With a SignKey the body is read up to what Lambda passes (6 MB) before its signature can be
 * checked: the same bodies at that size, unsigned, are measured too.
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

/** The worst bodies found, each just under `bytes`. */
function hostileBodies(bytes: number): Record<string, string> {
  /** `unit` repeated to fill what is left of the body around `wrap`. */
  const fill = (wrap: (inner: string) => string, unit: string, joiner = ',') => {
    const room = bytes - wrap('').length - 16
    const count = Math.floor(room / (unit.length + joiner.length))
    return wrap(Array.from({ length: count }, () => unit).join(joiner))
  }
  return {
    // The finding: every entry broken, ~330,000 of them in 1 MB.
    empty_pic_info: fill((inner) => legacy(`"picInfo":[${inner}]`), '{}'),
    empty_snapshot_info_set: fill(
      (inner) =>
        `{"EventType":"${EVENT}","SnapshotByTimeOffsetCompleteEvent":{"TaskId":"t","FileId":"1","Definition":10,"SnapshotInfoSet":[${inner}]}}`,
      '{}',
    ),
    // Every result valid but the last: validation cannot stop early.
    broken_last_result: `${fill((inner) => legacy(`"picInfo":[${inner},{}]`), '{"status":0,"timeOffset":1}')}`,
    deep_nesting: legacy(
      `"picInfo":[],"extra":${'['.repeat(bytes / 2 - 100)}${']'.repeat(bytes / 2 - 100)}`,
    ),
    huge_task_id: legacy(`"picInfo":[],"x":0`).replace(
      '"vodTaskId":"t"',
      `"vodTaskId":"${'t'.repeat(bytes - 200)}"`,
    ),
    huge_event_type: `{"EventType":"${'E'.repeat(bytes - 100)}"}`,
    lone_surrogates: legacy(`"picInfo":[]`).replace(
      '"t"',
      `"${'\\ud800'.repeat((bytes - 200) / 6)}"`,
    ),
    many_keys: fill((inner) => `{"eventType":"${EVENT}",${inner}}`, '"k":0'),
    // 90,000 in 1 MB: as many as fit.
    many_distinct_keys: (() => {
      const keys: string[] = []
      for (let i = 0, length = 0; length < bytes - 200; i++) {
        keys.push(`"k${i}":0`)
        length += (keys.at(-1)?.length ?? 0) + 1
      }
      keys.pop()
      return `{"eventType":"${EVENT}","version":"4.0",${keys.join(',')}}`
    })(),
    not_json_at_the_end: `${fill((inner) => legacy(`"picInfo":[${inner}]`), '{"status":0,"timeOffset":1}')}x`,
  }
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

/**
 * Runs every hostile body of up to `bytes` `rounds` times through the real handler; medians per
 * body. With `signKey` the handler checks VOD's signature, which none of the bodies carries.
 */
export async function measureReject({
  rounds = 8,
  bytes = MB,
  signKey,
}: {
  rounds?: number
  bytes?: number
  signKey?: string
} = {}): Promise<RejectFigures> {
  // The module reads its configuration when it loads; this handler is given its own.
  process.env.AWS_REGION ??= 'us-east-1'
  process.env.TABLE_NAME ??= 'vod-snapshots-bench'
  process.env.CALLBACK_TOKEN ??= TOKEN
  const { createCallbackHandler } = await import('../lib/receive/callback-handler')
  const { loadConfig } = await import('../lib/runtime/config')
  // Each line serialised as a JSON logger does, and discarded.
  const write = (_: string, fields?: unknown) => void JSON.stringify(fields)
  const keys = signKey === undefined ? {} : { CALLBACK_SIGN_KEY: signKey }
  const handler = createCallbackHandler({
    config: loadConfig({ TABLE_NAME: 'vod-snapshots-bench', CALLBACK_TOKEN: TOKEN, ...keys }),
    client: stubProjectClient(stubHandler()),
    logger: { info: write, warn: write, error: write },
    metrics: { addMetric: () => {} },
  })
  const context = lambdaContext()
  const ms: Record<string, number> = {}
  const parseMs: Record<string, number> = {}
  const statuses: Record<string, number> = {}
  for (const [name, body] of Object.entries(hostileBodies(bytes))) {
    const times: number[] = []
    const parses: number[] = []
    const reject = async () => {
      // A fresh event each time: the JSON parser replaces the body with what it parsed.
      const event: APIGatewayProxyEventV2 = callbackEvent(body, { token: TOKEN })
      const started = performance.now()
      const response = await handler(event, context)
      times.push(performance.now() - started)
      statuses[name] = response?.statusCode ?? 0
    }
    const parse = () => {
      const started = performance.now()
      try {
        JSON.parse(body)
        parses.push(performance.now() - started)
      } catch {
        parses.push(Number.NaN)
      }
    }
    for (let round = 0; round < rounds; round++) {
      // In turns which goes first: the second pays for the garbage the first left.
      if (round % 2 === 0) {
        await reject()
        parse()
      } else {
        parse()
        await reject()
      }
    }
    ms[name] = median(times)
    parseMs[name] = median(parses)
  }
  const [worst, worstMs] = Object.entries(ms).reduce((a, b) => (b[1] > a[1] ? b : a))
  return { ms, parseMs, worstMs, worst, statuses }
}
