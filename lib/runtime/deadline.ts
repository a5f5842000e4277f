/**
 * When writing must stop. A write waits for its request or for {@link Deadline.expired},
 * whichever comes first; no request or retry starts once the deadline has passed.
 *
 * Not an AbortSignal on every callback: a fresh signal, with the listener the SDK adds and
 * removes for each request, cost 6–16 µs of a 25-result callback's 550 (docs/performance.md).
 * The HTTP function's deadline ({@link deadlineIn}) therefore carries none: a request still in
 * flight when it passes is given up on (its results count as not stored) and left to the
 * client's own timeouts (0.5 s to connect, 1.5 s for an answer), or to the next thaw once Lambda
 * froze the environment; should it land, it writes the item the redrive writes again. A source
 * that holds a signal anyway ({@link deadlineOf}: the pull, the redrive, the replays) cancels
 * its requests with it.
 */
export interface Deadline {
  /** Never resolves; rejects with {@link Deadline.reason} once the deadline has passed. */
  readonly expired: Promise<never>
  /** Whether the deadline has passed. */
  readonly passed: boolean
  /** What a write stopped by the deadline fails with: a TimeoutError, or the signal's reason. */
  readonly reason: unknown
  /** Cancels requests in flight when the deadline passes; without it they end by their timeouts. */
  readonly signal?: AbortSignal
}

// A deadline that no write waited for has nothing to report.
const ignore = () => {}

// The reason AbortSignal.timeout aborts with.
const timeoutError = () =>
  new DOMException('The operation was aborted due to timeout', 'TimeoutError')

class TimedDeadline implements Deadline {
  passed = false
  reason: unknown
  readonly expired: Promise<never>
  readonly #timer: NodeJS.Timeout | undefined

  constructor(ms: number) {
    const { promise, reject } = Promise.withResolvers<never>()
    this.expired = promise
    promise.catch(ignore)
    const pass = () => {
      this.passed = true
      this.reason = timeoutError()
      reject(this.reason)
    }
    // No time left (reading the body took the store's share): passed now, so no request starts.
    if (ms <= 0) pass()
    else {
      this.#timer = setTimeout(pass, ms)
      // Like AbortSignal.timeout's, it never keeps the process alive.
      this.#timer.unref()
    }
  }

  /** Stops the timer once the writes are done. */
  clear(): void {
    clearTimeout(this.#timer)
  }
}

/** A deadline `ms` from now, failing writes with a TimeoutError; `clear` it once they are done. */
export function deadlineIn(ms: number): Deadline & { clear(): void } {
  return new TimedDeadline(ms)
}

/** The deadline of a signal: it passes when the signal aborts, and cancels requests in flight. */
export function deadlineOf(signal: AbortSignal): Deadline {
  const expired = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
  expired.catch(ignore)
  return {
    expired,
    signal,
    get passed() {
      return signal.aborted
    },
    get reason() {
      return signal.reason
    },
  }
}

/** `work`, or the deadline's reason once it passes first; without a deadline, `work` itself. */
export function beforeDeadline<T>(work: Promise<T>, deadline: Deadline | undefined): Promise<T> {
  return deadline ? Promise.race([work, deadline.expired]) : work
}
