import { type Logger, redactingLogger } from '../runtime/log'
import { forTerminal } from './terminal-text'

/** Where progress goes: process.stderr, or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

/**
 * Progress lines for a long operator command: on stderr when it is a terminal, at most one per
 * `everyMs`, the first after `everyMs` (a short run prints none). When stderr is a file or a
 * pipe (a log, a test), nothing: what is there is the command's result, not its pace. Whole
 * lines, not a line rewritten in place, because stdout may share the terminal.
 *
 * @returns a function to call as work is done, with the line to show (built only when shown)
 */
export function terminalProgress(
  stream: ProgressStream = process.stderr,
  { everyMs = 1000, now = Date.now }: { everyMs?: number; now?: () => number } = {},
): (line: () => string) => void {
  if (!stream.isTTY) return () => {}
  let last = now()
  return (line) => {
    if (now() - last < everyMs) return
    last = now()
    stream.write(`${line()}\n`)
  }
}

/**
 * The log of an operator command that runs a function's logic (pull, reconcile): each line as
 * `message {fields}`, every registered secret replaced, what was received escaped for the
 * terminal. `info` goes where the command's results go; warnings and errors to stderr.
 */
export function operatorLog(info: (line: string) => void = console.error): Logger {
  const line = (message: string, fields?: Record<string, unknown>) =>
    forTerminal(fields ? `${message} ${JSON.stringify(fields)}` : message)
  return redactingLogger({
    info: (message, fields) => info(line(message, fields)),
    warn: (message, fields) => console.error(line(message, fields)),
    error: (message, fields) => console.error(line(message, fields)),
  })
}
