import { createHash } from 'node:crypto'

/** A body signed as VOD signs it: `T` the expiry in Unix seconds, `Sign` = hex MD5(key + T). */
export function signedBody<T extends object>(
  body: T,
  key: string,
  expiresAt: number,
): T & { Sign: string; T: number } {
  const Sign = createHash('md5').update(`${key}${expiresAt}`).digest('hex')
  return { ...body, Sign, T: expiresAt }
}
