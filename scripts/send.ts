/**
 * `npm run send -- <file> [--url <callback URL>]`: sends a callback body the way VOD does, to the
 * local stack by default (signed as VOD signs it when CALLBACK_SIGN_KEY is set), and prints the
 * answer. `--to-queue <file>` and `--as-task <file>` give
 * the file to npm start's VOD stand-in instead (its queue, its tasks). Usage in
 * lib/operator/send-cli.ts.
 */
import { readFile } from 'node:fs/promises'
import { maskUrl } from '../lib/forward/masked-url'
import { NotATaskError, standInTasksOf } from '../lib/local/callback-as-task'
import {
  parseSendArgs,
  SEND_USAGE,
  type SendRequest,
  sendCallback,
  sendSecrets,
  sendToStandIn,
  signCallbackBody,
  standInLine,
  standInRefusal,
} from '../lib/operator/send-cli'
import { forTerminal, textForTerminal } from '../lib/operator/terminal-text'
import { readCommandLine } from '../lib/operator/usage-error'
import { parseJsonOrUndefined } from '../lib/runtime/json'
import { redactSecrets } from '../lib/runtime/redaction'

// fetch's "fetch failed" names the reason (ECONNREFUSED ...) only in its cause.
function reasonOf(error: unknown): string {
  const cause = (error as Error).cause
  return cause instanceof Error ? cause.message : (error as Error).message
}

async function sendToCallbackUrl(request: SendRequest, file: Uint8Array): Promise<number> {
  const { url, signKey } = request
  // Everything printed goes through these: neither the URL's token nor the key may reach a
  // terminal or a log, in any spelling, and nothing the server answered can drive the terminal.
  const secrets = sendSecrets(request)
  const redact = (text: string) => redactSecrets(text, secrets)
  const say = (text: string) => console.log(forTerminal(redact(text)))
  let body = file
  let signed = ''
  if (signKey) {
    const signature = signCallbackBody(file, signKey, Date.now())
    if (!signature) {
      console.error(
        forTerminal(
          `${request.file} is not a JSON object, so it cannot carry the Sign and T that CALLBACK_SIGN_KEY asks for: ` +
            'run with CALLBACK_SIGN_KEY= to send it unsigned (a stack with a key answers 401 to it)',
        ),
      )
      return 2
    }
    body = signature.body
    const until = new Date(signature.expiresAt * 1000).toISOString()
    signed = `, signed with the first CALLBACK_SIGN_KEY: Sign and T added, valid until ${until}`
  }
  say(`POST ${maskUrl(url)} (${body.byteLength} bytes from ${request.file}${signed})`)
  try {
    const answer = await sendCallback(url, body)
    say(`${answer.status} ${answer.statusText}`)
    // The body shown whole: its newlines and tabs kept.
    if (answer.body !== '') console.log(textForTerminal(redact(answer.body)))
    return answer.status >= 200 && answer.status < 300 ? 0 : 1
  } catch (error) {
    console.error(forTerminal(redact(`No answer from ${maskUrl(url)}: ${reasonOf(error)}`)))
    return 1
  }
}

async function giveToStandIn(request: SendRequest, body: Uint8Array): Promise<number> {
  const { file, url } = request
  const standIn = new URL(url).origin
  const json = parseJsonOrUndefined(Buffer.from(body).toString('utf8'))
  if (json === undefined) {
    console.error(forTerminal(`${file} is not JSON`))
    return 1
  }
  let tasks: ReturnType<typeof standInTasksOf> = []
  if (request.to === 'task') {
    try {
      tasks = standInTasksOf(json)
    } catch (error) {
      if (!(error instanceof NotATaskError)) throw error
      console.error(forTerminal(`${file} cannot be sent as a task: ${error.message}`))
      return 1
    }
  }
  let answer: Awaited<ReturnType<typeof sendToStandIn>>
  try {
    answer = await sendToStandIn(
      url,
      request.to === 'task' ? JSON.stringify(tasks.length === 1 ? tasks[0] : tasks) : body,
    )
  } catch (error) {
    console.error(
      forTerminal(
        `No VOD stand-in at ${standIn} (${reasonOf(error)}): start it with npm start, on VOD_PORT`,
      ),
    )
    return 1
  }
  const line = answer.status === 200 ? standInLine(request, answer.body, tasks) : undefined
  if (line === undefined) {
    console.error(
      forTerminal(`The VOD stand-in at ${standIn} did not take ${file}: ${standInRefusal(answer)}`),
    )
    return 1
  }
  // Task IDs come from the file: shown, never obeyed.
  console.log(forTerminal(line))
  return 0
}

async function main(): Promise<number> {
  const commandLine = readCommandLine(
    () => parseSendArgs(process.argv.slice(2), process.env),
    SEND_USAGE,
  )
  if ('exitCode' in commandLine) return commandLine.exitCode
  const { request } = commandLine

  let body: Uint8Array
  try {
    body = await readFile(request.file)
  } catch (error) {
    console.error(forTerminal(`Could not read ${request.file}: ${(error as Error).message}`))
    return 1
  }
  return request.to === 'callback' ? sendToCallbackUrl(request, body) : giveToStandIn(request, body)
}

process.exitCode = await main()
