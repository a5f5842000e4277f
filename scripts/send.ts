/**
 * `npm run send -- <file> [--url <callback URL>]`: sends a callback body the way VOD does, to the
 * local stack by default, and prints the answer. Usage in lib/send-cli.ts.
 */
import { readFile } from 'node:fs/promises'
import {
  maskToken,
  parseSendArgs,
  redactToken,
  SEND_USAGE,
  sendCallback,
} from '../lib/operator/send-cli'
import { readCommandLine } from '../lib/operator/usage-error'

async function main(): Promise<number> {
  const commandLine = readCommandLine(
    () => parseSendArgs(process.argv.slice(2), process.env),
    SEND_USAGE,
  )
  if ('exitCode' in commandLine) return commandLine.exitCode
  const { request } = commandLine

  const { file, url } = request
  let body: Uint8Array
  try {
    body = await readFile(file)
  } catch (error) {
    console.error(`Could not read ${file}: ${(error as Error).message}`)
    return 1
  }
  // Everything printed goes through redactToken: the URL's token must not reach a terminal or log.
  const say = (text: string) => console.log(redactToken(text, url))
  say(`POST ${maskToken(url)} (${body.byteLength} bytes from ${file})`)
  try {
    const answer = await sendCallback(url, body)
    say(`${answer.status} ${answer.statusText}`)
    if (answer.body !== '') say(answer.body)
    return answer.status >= 200 && answer.status < 300 ? 0 : 1
  } catch (error) {
    // fetch's "fetch failed" names the reason (ECONNREFUSED ...) only in its cause.
    const cause = (error as Error).cause
    const reason = cause instanceof Error ? cause.message : (error as Error).message
    console.error(redactToken(`No answer from ${maskToken(url)}: ${reason}`, url))
    return 1
  }
}

process.exitCode = await main()
