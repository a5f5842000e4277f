const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * The text of bytes that must be UTF-8, as they were sent: a leading byte-order mark is kept
 * (what is kept and forwarded is byte for byte what VOD sent; the JSON parser skips it).
 * @throws {TypeError} when the bytes are not UTF-8: decoded loosely, every invalid byte would
 * become U+FFFD
 */
export function utf8Text(bytes: Uint8Array): string {
  return strict.decode(bytes)
}
