import { Worker } from 'node:worker_threads'
import type { Context, SQSBatchResponse } from 'aws-lambda'
import { LOCAL_CREDENTIALS } from '../runtime/local-defaults'
import { type LocalQueues, localSqsClient } from './local-queues'
import type { QueueDefinitions } from './queue-definitions'
import { type SqsEventSource, type SqsHandler, startSqsEventSource } from './sqs-event-source'

export interface LocalRedriveOptions {
  /** FORWARD_URL: where the local stand-in for the bus delivers events. */
  forwardUrl?: string
  queues: LocalQueues
  definitions: QueueDefinitions
  dynamodbEndpoint: string
  tableName: string
  /** The function's name on the stage, `<service>-<stage>-redrive`. */
  functionName: string
  /** RESULT_TTL_DAYS; serverless.yml's resultTtlDays (0, for ever) unless given. */
  resultTtlDays?: number
}

/**
 * The environment serverless.yml gives the redrive function on the local stage, as
 * handlers/redrive.ts and lib/runtime/log.ts read it when they load: its table, DynamoDB and
 * forwarding (no bus locally; FORWARD_URL, when set, stands in for it), the service name of its
 * logs and metrics, and the region and credentials `npm start` gives the functions it runs.
 *
 * One difference: the local stage's metricsDisabled is not mirrored. The metrics are published
 * as in AWS, as embedded-metric-format lines on stdout, so that the redrive's counts can be read.
 */
function localRedriveEnvironment({
  dynamodbEndpoint,
  tableName,
  functionName,
  forwardUrl,
  resultTtlDays,
}: Omit<LocalRedriveOptions, 'queues' | 'definitions'>): Record<string, string> {
  return {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    RESULT_TTL_DAYS: String(resultTtlDays ?? 0),
    // `${self:service}-${sls:stage}`: the function's name less its own.
    SERVICE_NAME: functionName.replace(/-redrive$/, ''),
    METRICS_DISABLED: 'false',
    EVENT_BUS_NAME: '',
    FORWARD_URL: forwardUrl ?? '',
    FORWARD_ALL: 'false',
    AWS_REGION: process.env.AWS_REGION || 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  }
}

/** A failure the function itself reported (and logged): the event source logs it no more. */
class InvocationError extends Error {
  override name = 'InvocationError'
}

/** What crosses to the worker of a Lambda context: its fields, and the time left. */
type ContextFields = Omit<Context, 'getRemainingTimeInMillis' | 'done' | 'fail' | 'succeed'>

/** Starts handlers/redrive.ts in a thread of its own with `environment` as its process.env. */
function startRedriveWorker(environment: Record<string, string>) {
  const worker = new Worker(new URL('./redrive-worker.mjs', import.meta.url), {
    execArgv: [],
    env: { ...process.env, ...environment },
  })
  const pending = new Map<number, { resolve(value: unknown): void; reject(e: Error): void }>()
  let ended: Error | undefined
  const end = (error: Error) => {
    ended ??= error
    for (const { reject } of pending.values()) reject(error)
    pending.clear()
  }
  worker.on('message', ({ id, result, error }) => {
    const call = pending.get(id)
    pending.delete(id)
    if (error === undefined) call?.resolve(result)
    else call?.reject(new InvocationError(error))
  })
  worker.on('error', end)
  worker.on('exit', (code) => end(new Error(`the redrive's thread exited (${code})`)))
  let calls = 0

  const invoke: SqsHandler = (event, context) => {
    if (ended) return Promise.reject(ended)
    const id = ++calls
    // Its functions stay here: the worker makes its own, counting down from the same time.
    const fields = Object.fromEntries(
      Object.entries(context).filter(([, value]) => typeof value !== 'function'),
    ) as ContextFields
    const message = { id, event, context: fields, remainingMs: context.getRemainingTimeInMillis() }
    return new Promise<SQSBatchResponse | undefined>((resolve, reject) => {
      pending.set(id, { resolve: (value) => resolve(value as SQSBatchResponse), reject })
      worker.postMessage(message)
    })
  }
  return {
    invoke,
    async stop() {
      await worker.terminate()
    },
  }
}

/**
 * Runs the redrive on the local fallback queue as Lambda runs it in AWS: the handler that
 * handlers/redrive.ts exports (middy, the functions' logger with the request's context, metrics
 * flushed after each batch as EMF lines on stdout), loaded as serverless-offline loads a
 * function, in a thread of its own with the environment serverless.yml gives it
 * ({@link localRedriveEnvironment}), fed by {@link startSqsEventSource} with the batch size and
 * timeout serverless.yml gives the function. A module that fails to load fails every batch, as
 * a function whose start-up fails does.
 */
export function startLocalRedrive(options: LocalRedriveOptions): SqsEventSource {
  const { queues, definitions, functionName } = options
  const redrive = startRedriveWorker(localRedriveEnvironment(options))
  const sqs = localSqsClient(queues.endpoint)
  const source = startSqsEventSource({
    sqs,
    queueUrl: queues.queueUrl,
    queueArn: queues.queueArn,
    functionName,
    batchSize: definitions.redrive.batchSize,
    timeoutSeconds: definitions.redrive.timeoutSeconds,
    handler: redrive.invoke,
    onError: (error) => {
      // The function logged its own failures; these are the queue's (receive, delete).
      if (error instanceof InvocationError) return
      console.error(`local redrive: ${error instanceof Error ? error.message : String(error)}`)
    },
  })
  return {
    async stop() {
      await source.stop()
      await redrive.stop()
      sqs.destroy()
    },
  }
}
