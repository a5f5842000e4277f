import { parseArgs } from 'node:util'
import { STAND_IN_ADMIN_PATH } from '../local/vod-stand-in-admin'
import type { VodStandInTask } from '../local/vod-stand-in-tasks'
import { vodSignature } from '../receive/callback-signature'
import { firstListed } from '../runtime/config'
import { isPlainObject, parseJsonOrUndefined } from '../runtime/json'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
import { urlSecrets } from '../runtime/redaction'
import { vodTime } from '../runtime/vod-time'
import {
  localCallbackUrl,
  localVodEndpoint,
  type StandInStack,
  standInCommandPrefixes,
} from './local-stack'
import { UsageError } from './usage-error'

type Env = Record<string, string | undefined>

/** Printed for --help and after every usage error. */
export const SEND_USAGE = `Usage: npm run send -- <file> [--url <callback URL>]
       npm run send -- --to-queue <file>
       npm run send -- --as-task <file>

POSTs the file's bytes as the body, with no Content-Type (VOD sends none), the way VOD calls
the callback URL, then prints the answer's status and body. With --to-queue or --as-task, gives
the file to npm start's VOD stand-in instead, at http://127.0.0.1:$VOD_PORT (default ${LOCAL_DEFAULTS.vodPort}).

  <file>           a callback body, e.g. tests/fixtures/legacy-snapshot-success.json
  --url <url>      where to send it, token included (default: the local stack,
                   http://127.0.0.1:$PORT/vod/callback?token=$CALLBACK_TOKEN, with npm start's
                   defaults 3000 and local-development-token)
  --to-queue       put the file's v3.0 event (or array of them, as tests/fixtures/v3-*.json) in
                   the stand-in's event queue, for npm run pull -- --once --local
  --as-task        add the file to the stand-in's tasks, for npm run reconcile -- --local: a task
                   as DescribeTasks lists it (TaskId, TaskType, Status, CreateTime, ...), or a
                   v3.0 ProcedureStateChanged or CreateSnapshotByTimeOffsetComplete callback,
                   which becomes the task VOD remembers for it, finished now (or an array)
  --help           this text

With CALLBACK_SIGN_KEY set (as npm start reads it; the first key of a comma-separated list), the
callback is signed as VOD signs it: "Sign" and "T" (now + 10 minutes) added at the top level of
the JSON object, the rest of the file's bytes unchanged. A file that is not a JSON object cannot
be signed: it is not sent (exit 2); run with CALLBACK_SIGN_KEY= to send it unsigned.

The token and the key are never printed. Exit codes: 0 on a 2xx answer, 1 otherwise or when
nothing answers (or the file is not what --to-queue or --as-task takes), 2 usage error or a body
that cannot be signed.`

/**
 * What one run of `npm run send` is asked to do: send a callback to `url`, or give the file to
 * the stand-in's queue or tasks (`url`: its admin route).
 */
export interface SendRequest {
  file: string
  url: string
  to: 'callback' | 'queue' | 'task'
  /** The key a callback is signed with: the first of CALLBACK_SIGN_KEY's, when it is set. */
  signKey?: string
  /**
   * For the stand-in's routes: the local stack's variables this shell sets that differ from the
   * defaults (`VOD_PORT=9500 `), put before the command printed next so that it reaches the
   * same stack, as npm start's banner does.
   */
  stackVariables?: string
}

/** The stand-in's stack as this shell's variables describe it, npm start's defaults otherwise. */
function standInStackOf(env: Env): StandInStack {
  const d = LOCAL_DEFAULTS
  return {
    vodPort: env.VOD_PORT || d.vodPort,
    dynamodbPort: env.DYNAMODB_PORT || d.dynamodbPort,
    sqsPort: env.SQS_PORT || d.sqsPort,
    quarantineBucket: env.QUARANTINE_BUCKET || d.quarantineBucket,
    tableName: env.TABLE_NAME || d.tableName,
    forwardUrl: env.FORWARD_URL || undefined,
  }
}

/** The local stack's callback URL, from the variables `npm start` reads. */
function defaultCallbackUrl(env: Env): string {
  return localCallbackUrl('127.0.0.1', env.PORT || LOCAL_DEFAULTS.port, env.CALLBACK_TOKEN)
}

/**
 * Reads the command line; without --url the local stack's URL is used.
 *
 * @returns the request, or `help` when --help was asked for
 * @throws {UsageError} naming what is wrong
 */
export function parseSendArgs(argv: readonly string[], env: Env): SendRequest | 'help' {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) return 'help'
  const [file, ...extra] = positionals
  if (file === undefined || file === '') throw new UsageError('give the body file to send')
  if (extra.length > 0) throw new UsageError(`one file at a time, not also ${extra.join(' ')}`)
  const toQueue = values['to-queue'] ?? false
  const asTask = values['as-task'] ?? false
  if (toQueue && asTask) throw new UsageError('give --to-queue or --as-task, not both')
  if (toQueue || asTask) {
    if (values.url !== undefined) {
      throw new UsageError(
        `--url is the callback's; ${toQueue ? '--to-queue' : '--as-task'} goes to the stand-in on VOD_PORT`,
      )
    }
    const route = toQueue ? 'events' : 'tasks'
    const url = `${localVodEndpoint(env)}${STAND_IN_ADMIN_PATH}/${route}`
    if (!URL.canParse(url)) throw new UsageError(`VOD_PORT must be a port, not ${env.VOD_PORT}`)
    const prefixes = standInCommandPrefixes(standInStackOf(env))
    return {
      file,
      url,
      to: toQueue ? 'queue' : 'task',
      stackVariables: toQueue ? prefixes.pull : prefixes.reconcile,
    }
  }
  const url = values.url ?? defaultCallbackUrl(env)
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError('--url must be an http or https URL')
  }
  const { username, password } = new URL(url)
  // fetch refuses such a URL: nothing would be sent, and the answer would say "no answer".
  if (username || password) {
    throw new UsageError('--url must not carry a user name or password: the token goes in ?token=')
  }
  const signKey = firstListed(env.CALLBACK_SIGN_KEY)
  return { file, url, to: 'callback', ...(signKey === undefined ? {} : { signKey }) }
}

/** How long the signature `npm run send` adds stays valid: VOD's default. */
const SIGNATURE_VALIDITY_SECONDS = 600

/**
 * The callback body signed as VOD signs it with `key`: `Sign` and `T` (now + 10 minutes, Unix
 * seconds) added at the top level. They are written just before the object's closing brace and
 * the rest of the text is left as it is (a parse and stringify would round numbers past 2^53);
 * a `Sign` or `T` already in the body is overridden, JSON's last key winning.
 *
 * @returns the signed bytes and `T`, or undefined when the body is not a JSON object in UTF-8
 */
export function signCallbackBody(
  body: Uint8Array,
  key: string,
  nowMs: number,
): { body: Uint8Array; expiresAt: number } | undefined {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    return undefined
  }
  const parsed = parseJsonOrUndefined(text)
  if (!isPlainObject(parsed)) return undefined
  const expiresAt = Math.floor(nowMs / 1000) + SIGNATURE_VALIDITY_SECONDS
  const { Sign, T } = vodSignature(key, expiresAt)
  const close = text.lastIndexOf('}')
  const fields = `${Object.keys(parsed).length === 0 ? '' : ','}"Sign":"${Sign}","T":${T}`
  const signed = `${text.slice(0, close)}${fields}${text.slice(close)}`
  return { body: new TextEncoder().encode(signed), expiresAt }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'to-queue': { type: 'boolean' },
      'as-task': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

/**
 * What everything `npm run send` prints is redacted of (redactSecrets, in any spelling): every
 * query value of the URL (its token) and the key it signs with.
 */
export function sendSecrets({ url, signKey }: { url: string; signKey?: string }): string[] {
  return [...urlSecrets(url), ...(signKey ? [signKey] : [])]
}

/** The answer to one callback, body as text. */
export interface CallbackAnswer {
  status: number
  statusText: string
  body: string
}

/**
 * POSTs the bytes as VOD does: the body as is and no Content-Type (a Uint8Array body makes
 * fetch add none, where a string would get `text/plain`).
 *
 * @throws fetch's error when nothing answers
 */
export async function sendCallback(
  url: string,
  body: Uint8Array,
  fetchImpl: typeof fetch = fetch,
): Promise<CallbackAnswer> {
  const response = await fetchImpl(url, { method: 'POST', body })
  return { status: response.status, statusText: response.statusText, body: await response.text() }
}

/**
 * POSTs a JSON body to one of the stand-in's admin routes.
 *
 * @returns the answer, body as text
 * @throws fetch's error when nothing answers
 */
export async function sendToStandIn(
  url: string,
  body: string | Uint8Array,
  fetchImpl: typeof fetch = fetch,
): Promise<CallbackAnswer> {
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  })
  return { status: response.status, statusText: response.statusText, body: await response.text() }
}

/**
 * The one line `npm run send -- --to-queue` or `--as-task` prints on success: what the stand-in
 * now holds, and the command that takes it from there. Undefined when the answer is not the
 * stand-in's (another server on VOD_PORT).
 */
export function standInLine(
  request: SendRequest,
  answerBody: string,
  tasks: readonly VodStandInTask[] = [],
): string | undefined {
  const answer = parseJsonOrUndefined(answerBody) as Record<string, unknown> | undefined
  const standIn = new URL(request.url).origin
  const variables = request.stackVariables ?? ''
  if (request.to === 'queue') {
    const { queued, waiting } = answer ?? {}
    if (typeof queued !== 'number' || typeof waiting !== 'number') return undefined
    return (
      `queued ${queued} event${queued === 1 ? '' : 's'} from ${request.file} in the VOD stand-in at ` +
      `${standIn} (${waiting} waiting): ${variables}npm run pull -- --once --local takes ${queued === 1 ? 'it' : 'them'}`
    )
  }
  if (typeof answer?.added !== 'number') return undefined
  const described = tasks.map(
    (task) =>
      `${task.TaskId} (${task.TaskType}, ${task.Status}${task.FinishTime ? ` at ${task.FinishTime}` : ''})`,
  )
  const added = `added task${tasks.length === 1 ? '' : 's'} ${described.join(', ')} to the VOD stand-in at ${standIn}`
  // Reconcile lists the finished tasks only: its window is shown from an hour before the first.
  const finished = tasks.flatMap((task) =>
    task.Status === 'FINISH' && task.FinishTime ? [Date.parse(task.FinishTime)] : [],
  )
  if (finished.length === 0) return added
  const since = vodTime(Math.min(...finished) - 3_600_000)
  return `${added}: ${variables}npm run reconcile -- --local --since ${since} finds ${tasks.length === 1 ? 'it' : 'them'}`
}

/** A refusal from the stand-in (`{ code, message, problems }`) in words; other answers as they are. */
export function standInRefusal(answer: CallbackAnswer): string {
  const body = parseJsonOrUndefined(answer.body) as { message?: unknown; problems?: unknown }
  if (typeof body?.message !== 'string') return `${answer.status} ${answer.body}`
  const problems = Array.isArray(body.problems) ? `: ${body.problems.join('; ')}` : ''
  return `${answer.status} ${body.message}${problems}`
}
