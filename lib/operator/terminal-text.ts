/**
 * Text received from outside (callback bodies, task and file IDs, URLs, problems, event types) as
 * the operator commands print it. A sender could otherwise drive the operator's terminal: ESC and
 * the 8-bit CSI U+009B start escape sequences (clear the screen, set the window title, colour),
 * CR and BS overwrite what was printed, bidi overrides and isolates reorder it so that it reads
 * as something else, and a lone surrogate is no character at all.
 *
 * Each such character is written as `\uXXXX`, four lowercase hex digits: the form JSON.stringify
 * gives the controls it escapes, so a text line and `--json` show the same character the same way.
 * Backslashes are left alone: a body shown whole stays readable JSON, at the cost that a literal
 * `\u001b` in it reads like an escaped ESC (`--json` tells them apart).
 *
 * Written here rather than taken from npm: strip-ansi and ansi-regex remove only well-formed ANSI
 * sequences (not a lone C1 control, bidi controls or lone surrogates) and remove rather than show;
 * jsesc escapes all non-ASCII text, Chinese file names included.
 */

// Escaped: the controls (\p{Cc}: C0, DEL and C1, U+0080–U+009F); the format characters
// (\p{Cf}: the bidi marks, embeddings, overrides and isolates, and the invisible ones, a
// zero-width space, a BOM, a soft hyphen, tags, by which two different IDs look the same); the
// line and paragraph separators (U+2028, U+2029) and, with the `u` flag, only lone surrogates
// (a well-formed pair is one code point, outside the range).
const IN_A_LINE = /[\p{Cc}\p{Cf}\u2028\u2029\ud800-\udfff]/gu
// The same but for newline and tab, which lay out a text shown whole.
const IN_A_TEXT = /(?![\n\t])[\p{Cc}\p{Cf}\u2028\u2029\ud800-\udfff]/gu

/** Each UTF-16 unit of `char` as `\uXXXX` (a tag character outside the BMP is two). */
const escaped = (char: string) =>
  Array.from(
    { length: char.length },
    (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`,
  ).join('')

/**
 * A received value for one line of output (an ID, a URL, a problem): every control character,
 * newline and tab included, every format character (bidi controls, invisible characters) and
 * lone surrogate written as `\uXXXX`.
 */
export function forTerminal(text: string): string {
  return text.replace(IN_A_LINE, escaped)
}

/**
 * A received text shown whole (a callback body): as {@link forTerminal}, but newline and tab are
 * kept, so that a pretty-printed body keeps its lines and indentation.
 */
export function textForTerminal(text: string): string {
  return text.replace(IN_A_TEXT, escaped)
}

/**
 * `value` as the indented JSON a `--json` option prints. JSON.stringify already escapes C0
 * controls and lone surrogates, but not DEL, C1 controls or format characters; those are
 * escaped too. Outside its strings JSON holds no such character, so the output is still JSON and
 * parses back to `value`.
 */
export function jsonForTerminal(value: unknown): string {
  return textForTerminal(JSON.stringify(value, null, 2))
}

/** `value` as one POSIX shell word: as it is when nothing in it is special, else single-quoted. */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value
  return `'${value.replaceAll("'", `'\\''`)}'`
}
