import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest()

/**
 * Whether a POST to `/` carries a valid Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) made
 * with this key pair, as Tencent's API checks it. The official Node SDK signs the host without
 * its port, so the port is dropped from the Host header here too.
 */
export function hasValidTc3Signature(
  headers: IncomingHttpHeaders,
  body: string,
  credentials: { secretId: string; secretKey: string },
): boolean {
  const match = AUTHORIZATION.exec(headers.authorization ?? '')
  if (!match) return false
  const [, secretId, date, service, signedHeaders, signature] = match as unknown as string[]
  const timestamp = String(headers['x-tc-timestamp'] ?? '')
  if (secretId !== credentials.secretId || !service || !signedHeaders || !signature) return false
  if (new Date(Number(timestamp) * 1000).toISOString().slice(0, 10) !== date) return false

  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => {
      const value = String(headers[name] ?? '')
      return `${name}:${name === 'host' ? value.replace(/:\d+$/, '') : value}\n`
    })
    .join('')
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256(body)]
  const scope = `${date}/${service}/tc3_request`
  const stringToSign = ['TC3-HMAC-SHA256', timestamp, scope, sha256(canonicalRequest.join('\n'))]
  const signingKey = hmac(
    hmac(hmac(`TC3${credentials.secretKey}`, date as string), service),
    'tc3_request',
  )
  const expected = hmac(signingKey, stringToSign.join('\n'))
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'))
}
