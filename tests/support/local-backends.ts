import { randomUUID } from 'node:crypto'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import * as local from '../../lib/local/local-dynamodb'
import { javaAvailable, startDynamoDBLocal } from './dynamodb-local'

const NO_JAVA_ON_CI = 'Java 17 is required on CI for the DynamoDB Local tests'
const NO_JAVA_NOTE =
  'Java not found: DynamoDB Local tests need Java 17 (apt-get install openjdk-17-jre-headless)'

/** The real local DynamoDBs the integration tests run on, each in a `describe.each`. */
export const LOCAL_BACKENDS = [
  { name: 'dynalite', start: () => local.startDynalite(), needsJava: false },
  { name: 'DynamoDB Local', start: startDynamoDBLocal, needsJava: true },
]

/** A running backend's clients and the table of the test that runs now. */
export interface LocalTable {
  raw: DynamoDBClient
  doc: DynamoDBDocumentClient
  table: string
}

/**
 * In a describe block: starts `backend` once and creates a fresh table, named `<prefix>-<uuid>`,
 * before each test. DynamoDB Local needs Java: without it the tests are skipped with a note, and
 * on CI (CI=true) the run fails instead.
 * @returns the clients and table, filled in before each test
 */
export function useLocalTable(
  { name, start, needsJava }: (typeof LOCAL_BACKENDS)[number],
  prefix: string,
): LocalTable {
  let db: local.LocalDynamoDB | undefined
  const current = { table: '' } as LocalTable

  beforeAll(async () => {
    if (needsJava && !javaAvailable()) {
      if (process.env.CI === 'true') throw new Error(NO_JAVA_ON_CI)
      console.warn(NO_JAVA_NOTE)
      return
    }
    const startedAt = performance.now()
    db = await start()
    console.info(`${name} answered after ${Math.round(performance.now() - startedAt)} ms`)
    current.raw = local.localClient(db.endpoint)
    current.doc = DynamoDBDocumentClient.from(current.raw)
  })

  afterAll(async () => {
    current.doc?.destroy()
    await db?.close()
  })

  beforeEach(async (ctx) => {
    const { endpoint } = db ?? ctx.skip(NO_JAVA_NOTE)
    current.table = `${prefix}-${randomUUID()}`
    await local.createSnapshotsTable(endpoint, current.table)
  })

  return current
}
