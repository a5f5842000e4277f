import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { hasValidTc3Signature } from './tc3-signature'

/** The key pair the fake accepts; a request signed with another is refused. */
export const FAKE_VOD_CREDENTIALS = {
  secretId: 'AKIDfakeVodSecretId',
  secretKey: 'fakeVodSecretKey',
}

export interface FakeVodApiOptions {
  /** How long a pull waits for an event on an empty queue (VOD: up to 5 s). */
  emptyWaitMs?: number
  /** How long a pulled event stays invisible, and its handle valid (VOD: 30 s). */
  visibilityMs?: number
  /** How an empty queue is answered: VOD's error `ResourceNotFound`, or a null EventSet. */
  emptyAnswer?: 'ResourceNotFound' | 'null EventSet'
}

/** One request the fake answered: the action, its JSON body, its error code or pulled handles. */
interface FakeVodCall {
  action: string
  body: Record<string, unknown>
  error?: string
  handles?: string[]
}

export interface FakeVodApi {
  /** The URL to give the SDK: protocol `http://`, host `127.0.0.1:<port>`. */
  endpoint: string
  calls: FakeVodCall[]
  /** Adds events (EventContent without a handle) to the queue. */
  enqueue(...events: Record<string, unknown>[]): void
  /** Events not confirmed yet, visible or not. */
  waiting(): number
  /** The next `count` requests (of `action`, if given) are answered InternalError. */
  failNext(count: number, action?: string): void
  /** The next `count` requests (of `action`, if given) are answered only after `ms`. */
  delayNext(count: number, ms: number, action?: string): void
  close(): Promise<void>
}

type Message = { content: Record<string, unknown>; visibleAt: number }
type Fault = { count: number; action?: string; delayMs?: number }
type Answer = Record<string, unknown> | { Error: { Code: string; Message: string } }

const error = (Code: string, Message: string) => ({ Error: { Code, Message } })

async function readBody(request: IncomingMessage): Promise<string> {
  let text = ''
  for await (const chunk of request) text += chunk
  return text
}

/**
 * A local stand-in for VOD's PullEvents and ConfirmEvents (API 2018-07-17) as the official SDK
 * calls them: POST `/`, the action in X-TC-Action, a JSON body, a TC3 signature. Queue semantics
 * as VOD documents them: at most 16 events a pull, a long poll on an empty queue, an event
 * delivered again once its visibility ends unconfirmed, and InvalidParameterValue for a stale or
 * unknown handle (a confirmation then confirms nothing).
 */
export async function startFakeVodApi(options: FakeVodApiOptions = {}): Promise<FakeVodApi> {
  const { emptyWaitMs = 200, visibilityMs = 30_000, emptyAnswer = 'ResourceNotFound' } = options
  const queue = new Map<string, Message>()
  const handles = new Map<string, { id: string; expiresAt: number }>()
  const faults: Fault[] = []
  const calls: FakeVodCall[] = []
  const visible = () => [...queue].filter(([, m]) => m.visibleAt <= Date.now())

  function takeFault(action: string): Fault | undefined {
    const fault = faults.find((f) => f.count > 0 && (!f.action || f.action === action))
    if (fault) fault.count--
    return fault
  }

  async function pull(): Promise<Answer> {
    const until = Date.now() + emptyWaitMs
    while (visible().length === 0 && Date.now() < until) await sleep(10)
    const batch = visible().slice(0, 16)
    if (batch.length === 0) {
      if (emptyAnswer === 'ResourceNotFound') return error('ResourceNotFound', 'no event to pull')
      return { EventSet: null }
    }
    const expiresAt = Date.now() + visibilityMs
    return {
      EventSet: batch.map(([id, message]) => {
        const handle = randomUUID()
        message.visibleAt = expiresAt
        handles.set(handle, { id, expiresAt })
        return { EventHandle: handle, ...message.content }
      }),
    }
  }

  function confirm(body: Record<string, unknown>): Answer {
    const list = body.EventHandles
    if (!Array.isArray(list) || list.length === 0 || list.length > 16) {
      return error('InvalidParameterValue', 'EventHandles must hold 1 to 16 handles')
    }
    const stale = list.filter((h) => !((handles.get(h)?.expiresAt ?? 0) > Date.now()))
    if (stale.length > 0) return error('InvalidParameterValue', `invalid EventHandles: ${stale}`)
    for (const handle of list) {
      queue.delete(handles.get(handle)?.id ?? '')
      handles.delete(handle)
    }
    return {}
  }

  async function answer(action: string, headers: IncomingMessage['headers'], text: string) {
    if (!hasValidTc3Signature(headers, text, FAKE_VOD_CREDENTIALS)) {
      return error(
        'AuthFailure.SignatureFailure',
        'The provided credentials could not be validated',
      )
    }
    if (headers['x-tc-version'] !== '2018-07-17') return error('NoSuchVersion', 'bad version')
    const body = JSON.parse(text || '{}') as Record<string, unknown>
    if (action === 'PullEvents') return pull()
    if (action === 'ConfirmEvents') return confirm(body)
    return error('InvalidAction', `no action ${action}`)
  }

  const server = createServer(async (request, response) => {
    const action = String(request.headers['x-tc-action'] ?? '')
    const text = await readBody(request)
    const fault = takeFault(action)
    const result: Answer =
      fault && !fault.delayMs
        ? error('InternalError', 'injected internal error')
        : await answer(action, request.headers, text)
    const code = (result as { Error?: { Code: string } }).Error?.Code
    const events = (result as { EventSet?: { EventHandle: string }[] }).EventSet ?? []
    calls.push({
      action,
      body: JSON.parse(text || '{}'),
      ...(code ? { error: code } : {}),
      ...(events.length > 0 ? { handles: events.map((event) => event.EventHandle) } : {}),
    })
    if (fault?.delayMs) await sleep(fault.delayMs)
    if (response.destroyed) return
    response.setHeader('Content-Type', 'application/json')
    response.end(JSON.stringify({ Response: { ...result, RequestId: randomUUID() } }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    enqueue: (...events) => {
      for (const content of events) queue.set(randomUUID(), { content, visibleAt: 0 })
    },
    waiting: () => queue.size,
    failNext: (count, action) => void faults.push({ count, action }),
    delayNext: (count, delayMs, action) => void faults.push({ count, action, delayMs }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((closeError) => (closeError ? reject(closeError) : resolve()))
      }),
  }
}
