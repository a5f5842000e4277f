import type { Logger, MetricsSink } from '../runtime/log'
import { errorMessage } from '../runtime/log'
import { redactSecrets } from '../runtime/redaction'
import { utf8Text } from '../runtime/utf8'
import { UNSTORED_CALLBACK_MARKER } from './fallback-message'
import { type Quarantine, type QuarantinedCallback, quarantineId } from './quarantine'

/** What is known of an authenticated request that was answered 400, 413 or 422. */
export interface RejectedCallback {
  statusCode: number
  problems: string[]
  receivedAt: string
  requestId: string
  /** The body exactly as API Gateway delivered it. */
  body: string
  isBase64Encoded: boolean
  eventType?: string
}

// One log event stays under CloudWatch's 256 KB however the body escapes in JSON.
const MAX_LOGGED_PART_CHARS = 150_000

// Every secret, in any spelling (a token written \u0061... is the token).
const redact = (text: string, secrets: readonly string[]) => redactSecrets(text, secrets)

/**
 * The body as it is kept: with every configured secret replaced (a body never needs one, and
 * neither the token nor the signing key may be stored), as text when it is UTF-8, else as
 * base64 of its bytes.
 */
export function keptBody(
  { body, isBase64Encoded }: Pick<RejectedCallback, 'body' | 'isBase64Encoded'>,
  secrets: readonly string[],
): Pick<QuarantinedCallback, 'body' | 'bodyEncoding'> {
  if (!isBase64Encoded) return { body: redact(body, secrets), bodyEncoding: 'utf8' }
  const bytes = Buffer.from(body, 'base64')
  try {
    const text = utf8Text(bytes)
    return { body: redact(text, secrets), bodyEncoding: 'utf8' }
  } catch {
    // Not UTF-8: latin1 maps every byte to one character and back, so only secrets change.
    const redacted = Buffer.from(redact(bytes.toString('latin1'), secrets), 'latin1')
    return { body: redacted.toString('base64'), bodyEncoding: 'base64' }
  }
}

/**
 * The text in pieces that each stay under a log event's size once escaped as JSON, every
 * registered secret replaced first: split, a secret could straddle two pieces and escape both
 * lines' redaction.
 */
export function logPieces(whole: string, maxChars = MAX_LOGGED_PART_CHARS): string[] {
  const text = redactSecrets(whole)
  const pieces: string[] = []
  let start = 0
  while (start < text.length) {
    let end = Math.min(text.length, start + maxChars)
    // Escaping can make a piece up to six times longer (control characters as \u00XX).
    while (end - start > 1 && JSON.stringify(text.slice(start, end)).length > maxChars * 1.2) {
      end = start + Math.ceil((end - start) / 2)
    }
    // Never between the two halves of a surrogate pair.
    const last = text.charCodeAt(end - 1)
    if (end < text.length && end - start > 1 && last >= 0xd800 && last <= 0xdbff) end--
    pieces.push(text.slice(start, end))
    start = end
  }
  return pieces.length > 0 ? pieces : ['']
}

/**
 * Keeps an authenticated, rejected callback whole in the quarantine before it is answered. When
 * the quarantine fails, or does not answer within `timeoutMs`, the entry goes to the error log
 * under {@link UNSTORED_CALLBACK_MARKER}, its body in pieces so that no line is cut;
 * `npm run quarantine -- --import <file>` puts such lines back.
 *
 * @returns where the callback was kept
 */
export async function keepRejectedCallback(
  rejected: RejectedCallback,
  {
    quarantine,
    logger,
    metrics,
    secrets,
    timeoutMs,
  }: {
    quarantine?: Quarantine
    logger: Logger
    metrics: MetricsSink
    secrets: readonly string[]
    timeoutMs: number
  },
): Promise<'quarantine' | 'log'> {
  const entry: QuarantinedCallback = {
    kind: 'vod-snapshots/quarantined-callback',
    id: quarantineId(rejected.receivedAt, rejected.requestId),
    receivedAt: rejected.receivedAt,
    requestId: rejected.requestId,
    statusCode: rejected.statusCode,
    // Problems may quote what was received; no secret is kept either way.
    problems: rejected.problems.map((problem) => redact(problem, secrets)),
    ...(rejected.eventType === undefined ? {} : { eventType: rejected.eventType }),
    ...keptBody(rejected, secrets),
  }
  metrics.addMetric('CallbacksQuarantined', 'Count', 1)
  if (quarantine) {
    try {
      await quarantine.keep(entry, AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs))))
      logger.warn('callback quarantined', { quarantineId: entry.id, statusCode: entry.statusCode })
      return 'quarantine'
    } catch (error) {
      logger.error('quarantine failed', { quarantineId: entry.id, reason: errorMessage(error) })
    }
  }
  metrics.addMetric('QuarantineFailed', 'Count', 1)
  const { body, ...described } = entry
  const pieces = logPieces(body)
  for (const [i, piece] of pieces.entries()) {
    logger.error(UNSTORED_CALLBACK_MARKER, {
      reason: 'quarantine failed',
      quarantine: described,
      part: i + 1,
      parts: pieces.length,
      bodyPart: piece,
    })
  }
  return 'log'
}

/**
 * Keeps a VOD event that the one road found invalid and that no HTTP request carried (a pulled
 * event, a task detail reconcile read) as a rejected callback is kept: whole, answered 422, in
 * the quarantine or else the log.
 *
 * @returns where it was kept
 */
export function keepInvalidEvent(
  event: {
    problems: string[]
    receivedAt: string
    requestId: string
    text: string
    eventType: unknown
  },
  deps: { quarantine?: Quarantine; logger: Logger; metrics: MetricsSink; timeoutMs: number },
): Promise<'quarantine' | 'log'> {
  return keepRejectedCallback(
    {
      statusCode: 422,
      problems: event.problems,
      receivedAt: event.receivedAt,
      requestId: event.requestId,
      body: event.text,
      isBase64Encoded: false,
      eventType: typeof event.eventType === 'string' ? event.eventType : undefined,
    },
    { ...deps, secrets: [] },
  )
}
