/**
 * A DynamoDB that answers at the SDK's HTTP-handler level: every request is still serialised and
 * SigV4-signed, only the network is left out. Used by the CPU and the parallelism measurements.
 */
import { Readable } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import { DynamoDB, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb'
// @smithy/protocol-http is not installed here: the SDK of this lockfile takes HttpResponse from
// @smithy/core (a devDependency at the version the SDK uses, so that it resolves to the SDK's copy).
import { HttpResponse } from '@smithy/core/transport'
import { createSnapshotsClient } from '../lib/runtime/dynamodb-client'

const STUB_REGION = 'us-east-1'
const STUB_CREDENTIALS = { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'bench-secret' }

/** Counts what reached the "network", so a run can check that every batch was really sent. */
export interface StubHandler {
  requests: number
  handle(request: unknown): Promise<{ response: HttpResponse }>
  destroy(): void
}

/** Answers every request with an empty `UnprocessedItems`, after `latencyMs` when given. */
export function stubHandler(latencyMs = 0): StubHandler {
  const stub: StubHandler = {
    requests: 0,
    async handle() {
      stub.requests++
      if (latencyMs > 0) await delay(latencyMs)
      return {
        response: new HttpResponse({
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from('{"UnprocessedItems":{}}')]),
        }),
      }
    },
    destroy() {},
  }
  return stub
}

/** A plain DynamoDBClient on the stub, as a minimal implementation would build it. */
export function stubClient(stub: StubHandler): DynamoDBClient {
  return new DynamoDBClient({
    region: STUB_REGION,
    credentials: STUB_CREDENTIALS,
    requestHandler: stub,
  })
}

/** The project's own client (lib/runtime/dynamodb-client.ts), on the stub. */
export function stubProjectClient(stub: StubHandler): DynamoDBClient {
  return createSnapshotsClient({
    region: STUB_REGION,
    credentials: STUB_CREDENTIALS,
    requestHandler: stub,
  })
}

/** The typical implementation's shape: the aggregated client under DynamoDBDocument. */
export function stubAggregatedDocument(stub: StubHandler): DynamoDBDocument {
  return DynamoDBDocument.from(
    new DynamoDB({ region: STUB_REGION, credentials: STUB_CREDENTIALS, requestHandler: stub }),
    { marshallOptions: { removeUndefinedValues: true } },
  )
}
