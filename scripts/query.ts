/**
 * `npm run query`: the stored screenshots of one task or video as a table, JSON or an HTML
 * contact sheet. Usage in lib/query-cli.ts (`npm run query -- --help`).
 */
import { writeFile } from 'node:fs/promises'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { renderContactSheet } from '../lib/contact-sheet'
import { clientConfig, describeQueryError, parseQueryArgs, QUERY_USAGE } from '../lib/query-cli'
import { queryByFile, queryByTask } from '../lib/snapshot-query'
import { describeCounts, renderTable } from '../lib/snapshot-table'
import { UsageError } from '../lib/usage-error'
import { LOCAL_CREDENTIALS } from './local-dynamodb'

// The SDK's notice about the Node.js version is noise in every operator's run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

async function main(): Promise<number> {
  let request: ReturnType<typeof parseQueryArgs>
  try {
    request = parseQueryArgs(process.argv.slice(2), process.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    console.error(`${error.message}\n\n${QUERY_USAGE}`)
    return 2
  }
  if (request === 'help') {
    console.log(QUERY_USAGE)
    return 0
  }

  const { by, id, failedOnly, output, tableName, endpoint } = request
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient(clientConfig(endpoint, process.env, LOCAL_CREDENTIALS)),
  )
  const where =
    endpoint ??
    (await client.config.region().then(
      (region) => `DynamoDB in ${region}`,
      () => 'DynamoDB (no AWS region configured)',
    ))
  let items: Awaited<ReturnType<typeof queryByTask>>
  try {
    const query = by === 'task' ? queryByTask : queryByFile
    items = await query(client, tableName, id, { failedOnly })
  } catch (error) {
    console.error(describeQueryError(error, tableName, where))
    return 1
  } finally {
    client.destroy()
  }

  const subject = `${by === 'task' ? 'task' : 'video'} ${id}${failedOnly ? ' (failed only)' : ''}`
  if (output.kind === 'json') {
    console.log(JSON.stringify(items, null, 2))
  } else if (output.kind === 'html') {
    try {
      await writeFile(output.file, renderContactSheet(items, { kind: by, id }))
    } catch (error) {
      console.error(`Could not write ${output.file}: ${(error as Error).message}`)
      return 1
    }
    console.log(`Wrote the contact sheet of ${subject} to ${output.file}: ${describeCounts(items)}`)
  } else if (items.length === 0) {
    console.log(`No screenshots stored for ${subject} in table "${tableName}" at ${where}.`)
  } else {
    console.log(`Screenshots of ${subject}\n\n${renderTable(items, { withTask: by === 'file' })}`)
  }
  return 0
}

// An exit code rather than process.exit(): a long table piped elsewhere is written out in full.
process.exitCode = await main()
