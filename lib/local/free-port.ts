import { once } from 'node:events'
import { type AddressInfo, createServer } from 'node:net'

/** A TCP port nothing listens on right now, on every interface. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0)
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
