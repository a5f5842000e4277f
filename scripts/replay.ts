/**
 * `npm run replay -- <file>`: writes the callbacks or results found in a file (the function's
 * VOD_SNAPSHOTS_UNSTORED_CALLBACK log lines, callback bodies, fallback messages) to the table.
 * `npm run replay -- --dlq [--queue-url URL]`: drains the fallback dead-letter queue into it.
 * Both are idempotent. Settings: TABLE_NAME, DYNAMODB_ENDPOINT, RESULT_TTL_DAYS, FALLBACK_DLQ_URL,
 * AWS_* as usual.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { SQSClient } from '@aws-sdk/client-sqs'
import * as v from 'valibot'
import { fallbackItems } from '../lib/durability/fallback-message'
import { drainDeadLetterQueue, extractReplayables, replay } from '../lib/durability/replay'
import { ResultTtlDaysSchema } from '../lib/runtime/config'
import { createOperatorClient } from '../lib/runtime/dynamodb-client'
import { LOCAL_DEFAULTS } from '../lib/runtime/local-defaults'
import { errorMessage } from '../lib/runtime/log'
import { writeSnapshotItems } from '../lib/store/snapshot-store'

// The SDK's notice about the Node.js version is noise in every operator's run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const USAGE = 'usage: npm run replay -- <file> | --dlq [--queue-url <url>]'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dlq: { type: 'boolean' }, 'queue-url': { type: 'string' } },
})
const tableName = process.env.TABLE_NAME || LOCAL_DEFAULTS.tableName
const endpoint = process.env.DYNAMODB_ENDPOINT || undefined
// As the functions read it: replayed items expire as stored ones would.
const resultTtlDays = v.parse(ResultTtlDaysSchema, process.env.RESULT_TTL_DAYS)
const client = createOperatorClient(endpoint, process.env)

/** What went wrong, with what caused it (a store failure says why the store failed). */
const withCause = (error: unknown) => {
  const { cause } = (error ?? {}) as { cause?: unknown }
  return cause ? `${errorMessage(error)}: ${errorMessage(cause)}` : errorMessage(error)
}

async function replayFile(path: string): Promise<boolean> {
  const entries = extractReplayables(await readFile(path, 'utf8'), path)
  console.log(`${entries.length} callback(s) or result set(s) found in ${path}; table ${tableName}`)
  let failed = 0
  for (const [i, entry] of entries.entries()) {
    const label = `[${i + 1}/${entries.length}] ${entry.source}`
    try {
      console.log(`${label}: stored ${await replay(client, tableName, entry, { resultTtlDays })}`)
    } catch (error) {
      failed++
      console.error(`${label}: FAILED ${withCause(error)}`)
    }
  }
  console.log(`done: ${entries.length - failed} replayed, ${failed} failed`)
  return failed === 0
}

async function drain(queueUrl: string): Promise<boolean> {
  console.log(`draining ${queueUrl} into table ${tableName}`)
  let n = 0
  const { written, failed } = await drainDeadLetterQueue(
    new SQSClient({}),
    queueUrl,
    (message) => writeSnapshotItems(client, tableName, fallbackItems(message), { resultTtlDays }),
    (message, outcome) =>
      console.log(
        `[${++n}] ${message.MessageId}: ${outcome.error ? `FAILED ${errorMessage(outcome.error)}` : `stored ${outcome.stored}`}`,
      ),
  )
  console.log(`done: ${written} message(s) written and deleted, ${failed} left in the queue`)
  return failed === 0
}

const queueUrl = values['queue-url'] ?? process.env.FALLBACK_DLQ_URL
const [file] = positionals
let ok: boolean
if (values.dlq && queueUrl) ok = await drain(queueUrl)
else if (!values.dlq && file && positionals.length === 1) ok = await replayFile(file)
else {
  console.error(values.dlq ? 'set FALLBACK_DLQ_URL or pass --queue-url' : USAGE)
  process.exit(2)
}
process.exit(ok ? 0 : 1)
