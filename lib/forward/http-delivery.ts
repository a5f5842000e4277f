import { setTimeout as delay } from 'node:timers/promises'
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import pLimit from 'p-limit'
import type { Logger } from '../runtime/log'
import { EventPublishError, type EventPublisher } from './event-publisher'
import { maskUrl } from './masked-url'
import { ANNOUNCEMENT_TYPE } from './vod-event-entry'

/**
 * Requests to the receiver at once; the others wait in order. A receiver that hangs then holds
 * this many sockets (each for at most `timeoutMs`), not one per event of a burst. An attempt
 * waiting for its retry holds none. (An API destination is bounded too: 50 events a second.)
 */
export const MAX_CONCURRENT_DELIVERIES = 8

/** How the local delivery retries, as EventBridge's retry policy does for an API destination. */
export interface DeliveryOptions {
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  /** How long one attempt waits for the whole answer: 5 s, as an API destination does. */
  timeoutMs?: number
  /**
   * `publish` resolves once the receiver took every event, and throws EventPublishError with
   * those it did not take, instead of returning at once: for a source that must not let an
   * event go before it is passed on (the pull from the command line, which has no dead-letter
   * queue behind it and ends when the drain does). No retry starts after the signal `publish`
   * is given aborts: the event is then one of those it throws with.
   */
  awaitReceiver?: boolean
}

/**
 * The local stack's stand-in for the stage's bus and its rule to an API destination: every VOD
 * event put on it is POSTed, its detail as the body, to `url`, in the background with
 * retries, while `publish` returns at once, as PutEvents does. Only a 2xx answer delivers it;
 * a redirect is never followed. `user:pass@` in `url` is sent as Basic authorization. No log
 * line holds `url`'s secrets. Announcements go to no receiver here (the deployed rule does not
 * forward them either); they are logged.
 *
 * @returns the publisher, and `idle()` that resolves once every delivery has ended (for tests)
 */
export function httpDeliveryPublisher(
  url: string,
  logger: Logger,
  {
    maxAttempts = 8,
    baseDelayMs = 200,
    maxDelayMs = 5000,
    timeoutMs = 5000,
    awaitReceiver = false,
  }: DeliveryOptions = {},
): EventPublisher & { idle(): Promise<void> } {
  const { target, headers } = requestTo(url)
  // fetch's errors may quote the URL it was given.
  const masked = maskUrl(url)
  const scrub = (text: string) => text.replaceAll(url, masked).replaceAll(target, masked)
  const limit = pLimit(MAX_CONCURRENT_DELIVERIES)
  const inFlight = new Set<Promise<unknown>>()

  /** One attempt: undefined once the receiver took the event, else why it did not. */
  const post = async (body: string, deadline?: AbortSignal): Promise<string | undefined> => {
    // The caller's deadline, when it has one, ends an attempt too: none outlasts it.
    if (deadline?.aborted) return 'the deadline passed'
    const signal = deadline
      ? AbortSignal.any([deadline, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs)
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers,
        body,
        // Following would lose the event (a 302 or 303 turns the POST into an empty GET) or send
        // it where the operator never pointed FORWARD_URL (a 307 or 308 to another host or port).
        redirect: 'manual',
        signal,
      })
      await response.arrayBuffer()
      if (response.ok) return undefined
      const redirect = response.status >= 300 && response.status < 400
      return `HTTP ${response.status}${redirect ? ' (redirects are not followed)' : ''}`
    } catch (error) {
      if (deadline?.aborted) return 'the deadline passed'
      if ((error as Error).name === 'TimeoutError') return `no answer within ${timeoutMs} ms`
      const cause = (error as Error).cause
      return scrub(cause instanceof Error ? cause.message : (error as Error).message)
    }
  }

  /** Logs an event given up on: with awaitReceiver the caller keeps it, else only the log does. */
  const gaveUp = (entry: PutEventsRequestEntry, attempts: number, reason: string | undefined) => {
    const fields = { detailType: entry.DetailType, attempts, reason }
    // EventBridge would move it to the rule's dead-letter queue: here the log keeps it, whole.
    if (awaitReceiver) logger.warn('event not forwarded', fields)
    else logger.error('event not forwarded', { ...fields, detail: entry.Detail })
  }

  /**
   * Delivers with retries, and with `signal` (the caller's deadline) none after it aborted;
   * true once the receiver took it.
   */
  const deliver = async (entry: PutEventsRequestEntry, signal?: AbortSignal): Promise<boolean> => {
    let failure: string | undefined
    let attempt = 0
    while (attempt < maxAttempts) {
      attempt++
      // Checked again once a slot is free: a delivery that waited for one may find it passed.
      failure = await limit(() => post(entry.Detail ?? '', signal))
      if (failure === undefined) {
        logger.info('event forwarded', { detailType: entry.DetailType, attempt })
        return true
      }
      if (attempt === maxAttempts || signal?.aborted) break
      logger.warn('event forward retried', {
        detailType: entry.DetailType,
        attempt,
        reason: failure,
      })
      try {
        await delay(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)), undefined, { signal })
      } catch {
        break
      }
    }
    gaveUp(entry, attempt, failure)
    return false
  }

  return {
    async publish(entries, signal) {
      const deliveries: Promise<[PutEventsRequestEntry, boolean]>[] = []
      for (const entry of entries) {
        if (entry.DetailType === ANNOUNCEMENT_TYPE) {
          logger.info('results announced', { detail: entry.Detail })
          continue
        }
        // Only a caller that waits has a deadline: otherwise delivery goes on in the background,
        // retrying as EventBridge would.
        const delivery = deliver(entry, awaitReceiver ? signal : undefined).finally(() =>
          inFlight.delete(delivery),
        )
        inFlight.add(delivery)
        deliveries.push(delivery.then((delivered) => [entry, delivered]))
      }
      if (!awaitReceiver) return
      const undelivered = (await Promise.all(deliveries)).flatMap(([entry, delivered]) =>
        delivered ? [] : [entry],
      )
      if (undelivered.length > 0) throw new EventPublishError(undelivered)
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all(inFlight)
    },
  }
}

/**
 * fetch refuses a URL holding credentials (and its error quotes them): they go in an
 * Authorization header instead, as curl sends them.
 */
function requestTo(url: string): { target: string; headers: Record<string, string> } {
  const target = new URL(url)
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (target.username || target.password) {
    const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`
    headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`
    target.username = ''
    target.password = ''
  }
  return { target: target.href, headers }
}
