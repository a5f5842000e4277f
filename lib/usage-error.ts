/** The command line given to an operator script is wrong: print the usage and exit with 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}
