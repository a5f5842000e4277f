import { vodSignature } from '../../lib/receive/callback-signature'

/** A body signed as VOD signs it: `T` the expiry in Unix seconds, `Sign` = hex MD5(key + T). */
export function signedBody<T extends object>(
  body: T,
  key: string,
  expiresAt: number,
): T & { Sign: string; T: number } {
  return { ...body, ...vodSignature(key, expiresAt) }
}
