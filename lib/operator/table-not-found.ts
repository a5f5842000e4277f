/**
 * What an operator command says when DynamoDB has no table of the name it was given: one line
 * naming the table and where it was looked for (the wording of `npm run query`).
 */

/** The line that names the missing table and where it was looked for. */
export function tableNotFoundLine(tableName: string, where: string): string {
  return `Table "${tableName}" not found at ${where}. Set TABLE_NAME or --table to its name.`
}

/**
 * Whether DynamoDB answered that the table does not exist: the error is, or was caused by (as a
 * store failure is), a `ResourceNotFoundException`.
 */
export function isTableNotFound(error: unknown): boolean {
  let current = error
  // A few causes deep at most: a cause chain may be long, or loop.
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current.name === 'ResourceNotFoundException') return true
    current = current.cause
  }
  return false
}

/**
 * Where a client looks for its table, as an operator reads it: the endpoint when one is set,
 * else DynamoDB in the region the SDK found.
 */
export function tableLocation(
  client: { config: { region: () => Promise<string> } },
  endpoint: string | undefined,
): Promise<string> {
  if (endpoint !== undefined) return Promise.resolve(endpoint)
  return client.config.region().then(
    (region) => `DynamoDB in ${region}`,
    () => 'DynamoDB (no AWS region configured)',
  )
}
