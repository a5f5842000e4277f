/**
 * `npm run query`: the stored screenshots of one task or video as a table, JSON or an HTML
 * contact sheet. Usage in lib/query-cli.ts (`npm run query -- --help`).
 */

import { writeFile } from 'node:fs/promises'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { renderContactSheet } from '../lib/operator/contact-sheet'
import {
  describeQueryError,
  describeSubject,
  parseQueryArgs,
  QUERY_USAGE,
  renderQueryText,
} from '../lib/operator/query-cli'
import { queryByFile, queryByTask } from '../lib/operator/snapshot-query'
import { describeCounts } from '../lib/operator/snapshot-table'
import { jsonForTerminal } from '../lib/operator/terminal-text'
import { readCommandLine } from '../lib/operator/usage-error'
import { createOperatorClient } from '../lib/runtime/dynamodb-client'

async function main(): Promise<number> {
  const commandLine = readCommandLine(
    () => parseQueryArgs(process.argv.slice(2), process.env),
    QUERY_USAGE,
  )
  if ('exitCode' in commandLine) return commandLine.exitCode
  const { request } = commandLine

  const { by, id, failedOnly, output, tableName, endpoint } = request
  const client = createOperatorClient(endpoint, process.env)
  const where =
    endpoint ??
    (await client.config.region().then(
      (region) => `DynamoDB in ${region}`,
      () => 'DynamoDB (no AWS region configured)',
    ))
  let items: Awaited<ReturnType<typeof queryByTask>>
  try {
    const query = by === 'task' ? queryByTask : queryByFile
    items = await query(DynamoDBDocumentClient.from(client), tableName, id, { failedOnly })
  } catch (error) {
    console.error(describeQueryError(error, tableName, where))
    return 1
  } finally {
    client.destroy()
  }

  if (output.kind === 'json') {
    console.log(jsonForTerminal(items))
  } else if (output.kind === 'html') {
    try {
      await writeFile(output.file, renderContactSheet(items, { kind: by, id }))
    } catch (error) {
      console.error(`Could not write ${output.file}: ${(error as Error).message}`)
      return 1
    }
    console.log(
      `Wrote the contact sheet of ${describeSubject(request)} to ${output.file}: ${describeCounts(items)}`,
    )
  } else {
    console.log(renderQueryText(items, request, where))
  }
  return 0
}

// An exit code rather than process.exit(): a long table piped elsewhere is written out in full.
process.exitCode = await main()
