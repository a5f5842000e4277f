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
