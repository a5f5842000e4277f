import { parseArgs } from 'node:util'
import { LOCAL_DEFAULTS } from '../runtime/local-defaults'
import { UsageError } from './usage-error'

type Env = Record<string, string | undefined>

/** The token `npm start` accepts unless CALLBACK_TOKEN says otherwise. */

/** Printed for --help and after every usage error. */
export const SEND_USAGE = `Usage: npm run send -- <file> [--url <callback URL>]

POSTs the file's bytes as the body, with no Content-Type (VOD sends none), the way VOD calls
the callback URL, then prints the answer's status and body.

  <file>           a callback body, e.g. tests/fixtures/legacy-snapshot-success.json
  --url <url>      where to send it, token included (default: the local stack,
                   http://127.0.0.1:$PORT/vod/callback?token=$CALLBACK_TOKEN, with npm start's
                   defaults 3000 and local-development-token)
  --help           this text

The token is never printed. Exit codes: 0 on a 2xx answer, 1 otherwise or when nothing
answers, 2 usage error.`

/** What one run of `npm run send` is asked to do. */
export interface SendRequest {
  file: string
  url: string
}

/** The local stack's callback URL, from the variables `npm start` reads. */
export function localCallbackUrl(env: Env): string {
  const token = encodeURIComponent(env.CALLBACK_TOKEN || LOCAL_DEFAULTS.token)
  return `http://127.0.0.1:${env.PORT || LOCAL_DEFAULTS.port}/vod/callback?token=${token}`
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
  const url = values.url ?? localCallbackUrl(env)
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError('--url must be an http or https URL')
  }
  return { file, url }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
}

/** The URL with the value of its `token` query parameter replaced by `***`, for printing. */
export function maskToken(url: string): string {
  if (!URL.canParse(url)) return '<invalid URL>'
  const parsed = new URL(url)
  if (!parsed.searchParams.has('token')) return parsed.href
  parsed.searchParams.set('token', '***')
  return parsed.href
}

/**
 * Text with every occurrence of the URL's token (raw and URL-encoded) replaced by `***`, for
 * anything printed that could echo it (an error message, an answer's body).
 */
export function redactToken(text: string, url: string): string {
  const token = URL.canParse(url) ? new URL(url).searchParams.get('token') : null
  if (!token) return text
  return [token, encodeURIComponent(token)].reduce(
    (out, secret) => out.split(secret).join('***'),
    text,
  )
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
