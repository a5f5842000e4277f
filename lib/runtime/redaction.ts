/**
 * One redaction for every log line, kept body and printed line: a secret (a callback token, a
 * SignKey, the Tencent API key, a FORWARD_URL's credentials) is replaced however it is spelled.
 * A body can write any character of it as a JSON escape (`\u0061`), a URL as a percent escape
 * (`%61`, `+` for a space): each character of the pattern accepts its literal form and both
 * escapes, hex digits in either case.
 */

const REDACTED = '[REDACTED]'

/** Secrets shorter than this are not secrets worth the name; redacting them would eat text. */
const MIN_SECRET_LENGTH = 4

// Every secret this process knows: the functions register theirs when they read them.
const registered = new Set<string>()
// Bumped by every new secret: a compiled pattern older than it is compiled again.
let registryVersion = 0
const compiled = new WeakMap<readonly string[], { version: number; pattern?: RegExp }>()
const NO_EXTRA: readonly string[] = []

const hexClass = (digit: string) =>
  /[a-f]/i.test(digit) ? `[${digit.toLowerCase()}${digit.toUpperCase()}]` : digit
const hexPattern = (value: number, width: number) =>
  [...value.toString(16).padStart(width, '0')].map(hexClass).join('')
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')

/** Every spelling of one character: itself, its JSON escapes, its URL percent escapes. */
function characterPattern(character: string): string {
  const spellings = [escapeRegExp(character)]
  // JSON: \uXXXX for each UTF-16 unit, and the short escapes.
  const units = [...Array(character.length).keys()].map((i) => character.charCodeAt(i))
  spellings.push(units.map((unit) => `\\\\u${hexPattern(unit, 4)}`).join(''))
  const short: Record<string, string> = { '"': '\\\\"', '\\': '\\\\\\\\', '/': '\\\\/' }
  if (short[character]) spellings.push(short[character])
  // URL: %XX for each UTF-8 byte, and + for a space.
  const bytes = [...Buffer.from(character, 'utf8')]
  spellings.push(bytes.map((byte) => `%${hexPattern(byte, 2)}`).join(''))
  if (character === ' ') spellings.push('\\+')
  return `(?:${spellings.join('|')})`
}

/** A pattern matching any of `secrets` in any of its spellings; undefined when there is none. */
export function secretPattern(secrets: Iterable<string>): RegExp | undefined {
  const alternatives = [...new Set(secrets)]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    // The longest first: a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length)
    .map((secret) => [...secret].map(characterPattern).join(''))
  return alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'g') : undefined
}

/**
 * Adds secrets every redaction of this process covers (empty and very short values are
 * ignored): the functions register the tokens, keys and credentials they read.
 */
export function registerSecrets(values: Iterable<string | undefined>): void {
  for (const value of values) {
    if (value && value.length >= MIN_SECRET_LENGTH && !registered.has(value)) {
      registered.add(value)
      registryVersion++
    }
  }
}

/** A URL's user or password as typed, decoded; as it stands when its escapes are malformed. */
function decodedUserInfo(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The secrets of a URL: its password and every query value (a `?key=` is a credential). */
export function urlSecrets(url: string | undefined): string[] {
  if (!url || !URL.canParse(url)) return []
  const parsed = new URL(url)
  const values = [...parsed.searchParams.values()]
  if (parsed.password) values.push(decodedUserInfo(parsed.password))
  if (parsed.username) values.push(decodedUserInfo(parsed.username))
  return values
}

/**
 * The pattern of the registered secrets and `extra`, compiled once per `extra` array and registry
 * version: every log line of the hot path goes through here.
 */
function patternOf(extra: readonly string[]): RegExp | undefined {
  const key = extra.length === 0 ? NO_EXTRA : extra
  const cached = compiled.get(key)
  if (cached?.version === registryVersion) return cached.pattern
  const pattern = secretPattern([...registered, ...extra])
  compiled.set(key, { version: registryVersion, pattern })
  return pattern
}

/** `text` with every registered secret, and every one of `extra`, replaced in any spelling. */
export function redactSecrets(text: string, extra: readonly string[] = []): string {
  const pattern = patternOf(extra)
  return pattern ? text.replace(pattern, REDACTED) : text
}

/** A compiled redaction for many values: strings, and the keys and values of objects and arrays. */
export function valueRedactor(extra: readonly string[] = []): (value: unknown) => unknown {
  const pattern = patternOf(extra)
  if (!pattern) return (value) => value
  let redactor = redactors.get(pattern)
  if (!redactor) {
    redactor = walkRedacting(pattern)
    redactors.set(pattern, redactor)
  }
  return redactor
}

// One walk per compiled pattern: building it for every log line cost as much as walking it.
const redactors = new WeakMap<RegExp, (value: unknown) => unknown>()

function walkRedacting(pattern: RegExp): (value: unknown) => unknown {
  // What holds no secret comes back as it is (the same object): most lines hold none.
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return value.replace(pattern, REDACTED)
    if (typeof value !== 'object' || value === null || depth > 20) return value
    if (Array.isArray(value)) {
      const items = value.map((item) => walk(item, depth + 1))
      return items.some((item, i) => item !== value[i]) ? items : value
    }
    const entries = Object.entries(value)
    const cleaned = entries.map(([key, item]) => [
      key.replace(pattern, REDACTED),
      walk(item, depth + 1),
    ])
    const changed = cleaned.some(
      ([key, item], i) => key !== entries[i]?.[0] || item !== entries[i]?.[1],
    )
    return changed ? Object.fromEntries(cleaned) : value
  }
  // Every string is looked at: a test of the serialised text would miss an escaped secret,
  // whose backslashes JSON.stringify doubles.
  return (value) => walk(value, 0)
}

/**
 * Registers the secrets an environment holds: the callback tokens and SignKeys (comma-separated
 * lists), the Tencent Cloud API secret key, and FORWARD_URL's credentials and query values.
 * Every function and operator command calls it first.
 */
export function registerEnvironmentSecrets(env: Record<string, string | undefined>): void {
  const list = (value: string | undefined) => (value ?? '').split(',').map((item) => item.trim())
  registerSecrets([
    ...list(env.CALLBACK_TOKEN),
    ...list(env.CALLBACK_SIGN_KEY),
    env.TENCENTCLOUD_SECRET_KEY,
    ...urlSecrets(env.FORWARD_URL),
  ])
}
