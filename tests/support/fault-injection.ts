import { createHash, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SQSClient } from '@aws-sdk/client-sqs'
import { LOCAL_CREDENTIALS } from '../../lib/runtime/local-defaults'

/** What a request may meet instead of a healthy DynamoDB. */
export type Fault = 'throttle' | 'http500' | 'unprocessed' | 'hang'
export type FaultRates = Partial<Record<Fault, number>>

type Request = { body?: unknown; headers: Record<string, string> }
type Options = { abortSignal?: AbortSignal }
type Response = {
  response: { statusCode: number; headers: Record<string, string>; body: Readable }
}
type HttpHandler = { handle(request: Request, options?: Options): Promise<Response> }

/**
 * The request body as text, whether the SDK built it as a string or as bytes. The bytes are
 * decoded as bytes: Buffer.from would call the SDK body's string-like valueOf, which it warns of.
 */
const bodyText = (request: Request) =>
  typeof request.body === 'string'
    ? request.body
    : new TextDecoder().decode(request.body as Uint8Array)

const jsonResponse = (statusCode: number, body: unknown): Response => ({
  response: {
    statusCode,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: Readable.from([Buffer.from(JSON.stringify(body))]),
  },
})

/** Never answers; rejects as the SDK's own handler does when the request is aborted. */
const hang = (signal?: AbortSignal) =>
  new Promise<never>((_, reject) => {
    const abort = () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }))
    if (signal?.aborted) abort()
    signal?.addEventListener('abort', abort, { once: true })
  })

/** Picks a fault by its rate (rates add up to at most 1), or none. */
function pick(rates: FaultRates, random: () => number): Fault | undefined {
  let roll = random()
  for (const [fault, rate] of Object.entries(rates) as [Fault, number][]) {
    if (roll < rate) return fault
    roll -= rate
  }
  return undefined
}

/**
 * A DynamoDB client whose requests meet faults at the HTTP-handler level, the SDK's boundary:
 * throttling (400), internal errors (500), every write returned unprocessed, or no answer until
 * the request is aborted. Requests that meet none reach the real local DynamoDB at `endpoint`.
 */
export function faultyDynamoDBClient(
  endpoint: string,
  rates: () => FaultRates,
  counts: Record<Fault | 'ok', number>,
  random = Math.random,
): DynamoDBClient {
  const real = new DynamoDBClient({ endpoint }).config.requestHandler as unknown as HttpHandler
  const handler: HttpHandler = {
    async handle(request, options) {
      const fault = pick(rates(), random)
      counts[fault ?? 'ok']++
      switch (fault) {
        case 'throttle':
          return jsonResponse(400, {
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message: 'The level of configured provisioned throughput for the table was exceeded.',
          })
        case 'http500':
          return jsonResponse(500, {
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: 'Internal server error',
          })
        case 'unprocessed':
          return jsonResponse(200, {
            UnprocessedItems: JSON.parse(bodyText(request)).RequestItems,
          })
        case 'hang':
          return hang(options?.abortSignal)
        default:
          return real.handle(request, options)
      }
    },
  }
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: handler as never,
  })
}

/**
 * An SQS client whose SendMessage lands in `sent` (as the JSON protocol answers it, MD5
 * included, which the SDK checks), or fails, or hangs, at the given rates.
 */
export function fakeSqsClient(
  sent: string[],
  rates: () => { fail?: number; hang?: number },
  random = Math.random,
): SQSClient {
  const handler: HttpHandler = {
    async handle(request, options) {
      const { fail = 0, hang: hangRate = 0 } = rates()
      const roll = random()
      if (roll < fail) return jsonResponse(500, { __type: 'InternalError', message: 'internal' })
      if (roll < fail + hangRate) return hang(options?.abortSignal)
      const { MessageBody } = JSON.parse(bodyText(request)) as { MessageBody: string }
      sent.push(MessageBody)
      const md5 = createHash('md5').update(MessageBody).digest('hex')
      return jsonResponse(200, { MessageId: randomUUID(), MD5OfMessageBody: md5 })
    },
  }
  return new SQSClient({
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: handler as never,
  })
}
