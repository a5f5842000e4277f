import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'

/** Where a test turns the local DynamoDB's failure on (`POST`) and off (`DELETE`). */
export const FAULT_SWITCH_PATH = '/local-fault-switch'

// What DynamoDB answers when it fails on its side: the SDK and the store treat it as retryable.
const INTERNAL_SERVER_ERROR = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
  message: 'The local fault switch is on',
})

/**
 * Puts a switch in front of a local DynamoDB server: while it is on, every DynamoDB request is
 * answered 500 InternalServerError, as DynamoDB does when it fails on its side. `POST` to
 * {@link FAULT_SWITCH_PATH} turns it on, `DELETE` turns it off; DynamoDB's own API only uses `/`.
 * Only `npm start` installs it, and only when the tests ask for it (LOCAL_DYNAMODB_FAULT_SWITCH):
 * it lives in lib/local/, which no function imports, so no deployed function can have it.
 */
export function installFaultSwitch(server: Server): void {
  const dynamodb = server.listeners('request') as RequestListener[]
  server.removeAllListeners('request')
  let failing = false
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.url === FAULT_SWITCH_PATH) {
      failing = request.method === 'POST' ? true : request.method === 'DELETE' ? false : failing
      request.resume()
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ failing }))
    } else if (failing) {
      request.resume()
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' })
      response.end(INTERNAL_SERVER_ERROR)
    } else {
      for (const listener of dynamodb) listener.call(server, request, response)
    }
  })
}
