import { forTerminal } from './terminal-text'

/** The command line given to an operator script is wrong: print the usage and exit with 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Runs an argument parser, turning what it throws into a {@link UsageError}. */
export function asUsage<T>(parseArgs: () => T): T {
  try {
    return parseArgs()
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/**
 * Reads an operator command's command line. Prints the usage (to stderr with the problem, exit
 * 2; or to stdout for --help, exit 0) when there is nothing to run.
 * @returns the request, or the exit code to end with
 */
export function readCommandLine<T>(
  parse: () => T | 'help',
  usage: string,
): { request: T } | { exitCode: number } {
  try {
    const request = parse()
    if (request !== 'help') return { request }
    console.log(usage)
    return { exitCode: 0 }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    // The problem may quote what was typed (or pasted): shown, never obeyed by the terminal.
    console.error(`${forTerminal(error.message)}\n\n${usage}`)
    return { exitCode: 2 }
  }
}

/**
 * `url` when it is one (or undefined, when none was given).
 * @throws {UsageError} `<what> is not a URL: <url>`
 */
export function checkUrl(url: string | undefined, what: string): string | undefined {
  if (url !== undefined && !URL.canParse(url)) throw new UsageError(`${what} is not a URL: ${url}`)
  return url
}
