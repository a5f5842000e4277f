import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { isPlainObject, parseJsonOrUndefined } from '../runtime/json'
import { VOD_STAND_IN_CREDENTIALS } from '../runtime/local-defaults'
import { hasValidTc3Signature } from './tc3-verify'
import { answerStandInAdmin, STAND_IN_ADMIN_PATH } from './vod-stand-in-admin'
import { type VodAnswer, type VodStandInTask, vodError, vodTaskRecords } from './vod-stand-in-tasks'

export interface VodStandInOptions {
  /** The port to listen on, on 127.0.0.1; 0 (the default): any free port. */
  port?: number
  /** How long a pull waits for an event on an empty queue (VOD: up to 5 s). */
  emptyWaitMs?: number
  /** How long a pulled event stays invisible, and its handle valid (VOD: 30 s). */
  visibilityMs?: number
  /** How an empty queue is answered: VOD's error `ResourceNotFound`, or a null EventSet. */
  emptyAnswer?: 'ResourceNotFound' | 'null EventSet'
  /** The account's application: a task-API request naming another is refused. */
  subAppId?: number
  /** Task-API requests of one action answered per second (Tencent's published limit: 100). */
  rateLimitPerSecond?: number
  /** Added to every task-API answer, as a distant region would. */
  latencyMs?: number
  /**
   * The clock for task ages, visibility and handles, so a test can move time. Long polls, the
   * rate limit and delays keep the real clock.
   */
  now?: () => number
}

/** One request the stand-in answered: the action, its JSON body, its error code or handles. */
interface VodStandInCall {
  action: string
  body: Record<string, unknown>
  error?: string
  handles?: string[]
}

export interface VodStandIn {
  /** The URL to give the SDK: protocol `http://`, host `127.0.0.1:<port>`. */
  endpoint: string
  calls: VodStandInCall[]
  /** Adds events (EventContent without a handle) to the queue. */
  enqueue(...events: Record<string, unknown>[]): void
  /** Events not confirmed yet, visible or not. */
  waiting(): number
  /** Adds a task for DescribeTasks and DescribeTaskDetail, or replaces the one with its TaskId. */
  addTask(task: VodStandInTask): void
  /** The next `count` requests (of `action`, if given) are answered InternalError. */
  failNext(count: number, action?: string): void
  /** The next `count` requests (of `action`, if given) are answered only after `ms`. */
  delayNext(count: number, ms: number, action?: string): void
  close(): Promise<void>
}

type Message = { content: Record<string, unknown>; visibleAt: number }
type Fault = { count: number; action?: string; delayMs?: number }

const TASK_ACTIONS = new Set(['DescribeTasks', 'DescribeTaskDetail'])

async function readBody(request: IncomingMessage): Promise<string> {
  let text = ''
  // Decoded as one stream, so a character split between two chunks stays whole.
  for await (const chunk of request.setEncoding('utf8')) text += chunk
  return text
}

/** The body as a JSON object (an empty body: `{}`), or undefined when it is not one. */
function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  const json = parseJsonOrUndefined(text || '{}')
  return isPlainObject(json) ? json : undefined
}

/**
 * A local stand-in for VOD's API 2018-07-17 as the official SDK calls it: POST `/`, the action
 * in X-TC-Action, a JSON body, a TC3 signature. PullEvents and ConfirmEvents with the queue
 * semantics VOD documents: at most 16 events a pull, a long poll on an empty queue, an event
 * delivered again once its visibility ends unconfirmed, and InvalidParameterValue for a stale or
 * unknown handle (a confirmation then confirms nothing). DescribeTasks and DescribeTaskDetail
 * over the tasks given to `addTask`, with VOD's 72-hour window and its per-action rate limit
 * (`RequestLimitExceeded`). Under `/stand-in/` (outside VOD's API), local admin routes fill the
 * queue and the tasks from another process (see {@link answerStandInAdmin}).
 */
export async function startVodStandIn(options: VodStandInOptions = {}): Promise<VodStandIn> {
  const { port = 0, emptyWaitMs = 200, visibilityMs = 30_000 } = options
  const { emptyAnswer = 'ResourceNotFound', rateLimitPerSecond = 100, latencyMs = 0 } = options
  const now = options.now ?? Date.now
  const queue = new Map<string, Message>()
  const handles = new Map<string, { id: string; expiresAt: number }>()
  const tasks = vodTaskRecords({ now, subAppId: options.subAppId })
  const answered = new Map<string, number[]>()
  const faults: Fault[] = []
  const calls: VodStandInCall[] = []
  const visible = () => [...queue].filter(([, m]) => m.visibleAt <= now())

  function takeFault(action: string): Fault | undefined {
    const fault = faults.find((f) => f.count > 0 && (!f.action || f.action === action))
    if (fault) fault.count--
    return fault
  }

  // A sliding one-second window of the requests answered, per action.
  function overRate(action: string): boolean {
    const at = performance.now()
    const recent = (answered.get(action) ?? []).filter((time) => time > at - 1000)
    const over = recent.length >= rateLimitPerSecond
    answered.set(action, over ? recent : [...recent, at])
    return over
  }

  async function pull(): Promise<VodAnswer> {
    const until = Date.now() + emptyWaitMs
    while (visible().length === 0 && Date.now() < until) await sleep(10)
    const batch = visible().slice(0, 16)
    if (batch.length === 0) {
      if (emptyAnswer === 'ResourceNotFound')
        return vodError('ResourceNotFound', 'no event to pull')
      return { EventSet: null }
    }
    const expiresAt = now() + visibilityMs
    return {
      EventSet: batch.map(([id, message]) => {
        const handle = randomUUID()
        message.visibleAt = expiresAt
        handles.set(handle, { id, expiresAt })
        return { EventHandle: handle, ...message.content }
      }),
    }
  }

  function confirm(body: Record<string, unknown>): VodAnswer {
    const list = body.EventHandles
    if (!Array.isArray(list) || list.length === 0 || list.length > 16) {
      return vodError('InvalidParameterValue', 'EventHandles must hold 1 to 16 handles')
    }
    const stale = list.filter((h) => !((handles.get(h)?.expiresAt ?? 0) > now()))
    if (stale.length > 0) return vodError('InvalidParameterValue', `invalid EventHandles: ${stale}`)
    for (const handle of list) {
      queue.delete(handles.get(handle)?.id ?? '')
      handles.delete(handle)
    }
    return {}
  }

  async function answer(
    action: string,
    headers: IncomingMessage['headers'],
    text: string,
    body: Record<string, unknown> | undefined,
  ) {
    if (!hasValidTc3Signature(headers, text, VOD_STAND_IN_CREDENTIALS)) {
      return vodError(
        'AuthFailure.SignatureFailure',
        'The provided credentials could not be validated',
      )
    }
    if (headers['x-tc-version'] !== '2018-07-17') return vodError('NoSuchVersion', 'bad version')
    if (body === undefined) return vodError('InvalidParameter', 'the body is not a JSON object')
    if (action === 'PullEvents') return pull()
    if (action === 'ConfirmEvents') return confirm(body)
    if (!TASK_ACTIONS.has(action)) return vodError('InvalidAction', `no action ${action}`)
    if (overRate(action)) return vodError('RequestLimitExceeded', `over ${rateLimitPerSecond}/s`)
    if (action === 'DescribeTasks') return tasks.describeTasks(body)
    return tasks.describeTaskDetail(body)
  }

  const enqueue = (...events: Record<string, unknown>[]) => {
    for (const content of events) queue.set(randomUUID(), { content, visibleAt: 0 })
  }
  const waiting = () => queue.size
  const addTask = (task: VodStandInTask) => tasks.add(task)

  async function answerVod(request: IncomingMessage, text: string): Promise<VodAnswer> {
    const action = String(request.headers['x-tc-action'] ?? '')
    const body = jsonObjectOf(text)
    const fault = takeFault(action)
    const result: VodAnswer =
      fault && !fault.delayMs
        ? vodError('InternalError', 'injected internal error')
        : await answer(action, request.headers, text, body)
    const code = (result as { Error?: { Code: string } }).Error?.Code
    const events = (result as { EventSet?: { EventHandle: string }[] }).EventSet ?? []
    calls.push({
      action,
      body: body ?? {},
      ...(code ? { error: code } : {}),
      ...(events.length > 0 ? { handles: events.map((event) => event.EventHandle) } : {}),
    })
    if (fault?.delayMs) await sleep(fault.delayMs)
    if (TASK_ACTIONS.has(action) && latencyMs > 0) await sleep(latencyMs)
    return result
  }

  const server = createServer(async (request, response) => {
    const reply = (status: number, body: unknown) => {
      if (response.destroyed || response.headersSent) return
      response.writeHead(status, { 'Content-Type': 'application/json' })
      response.end(JSON.stringify(body))
    }
    // A request must never take the server down: whatever throws is answered, and logged.
    try {
      const text = await readBody(request)
      const path = new URL(request.url ?? '/', 'http://stand-in').pathname
      if (path === STAND_IN_ADMIN_PATH || path.startsWith(`${STAND_IN_ADMIN_PATH}/`)) {
        const { method, headers } = request
        const contentType = headers['content-type']
        const admin = answerStandInAdmin(
          { method, path, contentType, text },
          { enqueue, waiting, addTask },
        )
        reply(admin.status, admin.body)
        return
      }
      const result = await answerVod(request, text)
      reply(200, { Response: { ...result, RequestId: randomUUID() } })
    } catch (error) {
      console.error('VOD stand-in: request failed', error)
      reply(500, {
        Response: { ...vodError('InternalError', 'the stand-in failed'), RequestId: randomUUID() },
      })
    }
  })
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address() as AddressInfo

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    calls,
    enqueue,
    waiting,
    addTask,
    failNext: (count, action) => void faults.push({ count, action }),
    delayNext: (count, delayMs, action) => void faults.push({ count, action, delayMs }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((closeError) => (closeError ? reject(closeError) : resolve()))
      }),
  }
}
