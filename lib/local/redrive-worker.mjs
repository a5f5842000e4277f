// The redrive function's own thread on the local stack, as serverless-offline runs a function:
// handlers/redrive.ts loads here with its own module state (lib/runtime/log.ts names its service
// when it loads) and the process.env lib/local/local-redrive.ts gives the thread. TypeScript
// through tsx, as `npm start` runs. Each message is one invocation: { id, event, context,
// remainingMs }; the answer is { id, result } or { id, error }.
import { parentPort } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const loaded = (async () => {
  const { handler } = await import(new URL('../../handlers/redrive.ts', import.meta.url).href)
  const { functionLogger } = await import(new URL('../runtime/log.ts', import.meta.url).href)
  return { handler, logger: functionLogger }
})()
// A module that fails to load fails every invocation, below.
loaded.catch(() => {})

parentPort?.on('message', async ({ id, event, context, remainingMs }) => {
  const deadline = Date.now() + remainingMs
  let logger
  try {
    const redrive = await loaded
    logger = redrive.logger
    const result = await redrive.handler(event, {
      ...context,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done() {},
      fail() {},
      succeed() {},
    })
    parentPort?.postMessage({ id, result })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (logger) logger.error('local redrive failed', { reason })
    else console.error(`local redrive failed: ${reason}`)
    parentPort?.postMessage({ id, error: reason })
  }
})
