/**
 * The JSON value one exported log line holds: the text before the JSON (CloudWatch's time and
 * request ID) is skipped, and Lambda's JSON log format, which wraps the line as a string in
 * `message`, is unwrapped. Undefined for a line that holds no JSON.
 */
function jsonOfLogLine(line: string): unknown {
  const start = line.indexOf('{')
  if (start < 0) return undefined
  let value: unknown
  try {
    value = JSON.parse(line.slice(start))
  } catch {
    return undefined
  }
  const wrapped = (value as { message?: unknown } | null)?.message
  return typeof wrapped === 'string' && wrapped.startsWith('{') ? jsonOfLogLine(wrapped) : value
}

/** One piece of a text logged in pieces: which whole it belongs to, where, and what it says. */
export interface LoggedPiece<TAbout> {
  id: string
  part: number
  parts: number
  text: string
  /** What the log line says of the whole besides its text. */
  about: TAbout
}

/**
 * Puts texts logged in pieces back together, in any order of lines.
 * @returns the wholes, and the IDs of those with a piece missing
 */
function joinLoggedPieces<TAbout>(pieces: Iterable<LoggedPiece<TAbout>>): {
  whole: { id: string; about: TAbout; text: string }[]
  incomplete: string[]
} {
  const byId = new Map<string, { about: TAbout; parts: (string | undefined)[] }>()
  for (const { id, part, parts, text, about } of pieces) {
    const found = byId.get(id) ?? { about, parts: Array.from({ length: parts }, () => undefined) }
    found.parts[part - 1] = text
    byId.set(id, found)
  }
  const whole: { id: string; about: TAbout; text: string }[] = []
  const incomplete: string[] = []
  for (const [id, { about, parts }] of byId) {
    if (parts.some((piece) => piece === undefined)) incomplete.push(id)
    else whole.push({ id, about, text: parts.join('') })
  }
  return { whole, incomplete }
}

/**
 * The texts logged in pieces under `marker` with `reason`, read from exported log lines and put
 * back together. `pieceOf` reads one line's JSON (undefined when it is not such a piece).
 * @returns the wholes; the IDs of those with a piece missing; the numbers of the lines that name
 * the marker and the reason but cannot be read (`damaged`); how many other non-empty lines there
 * were (`skipped`)
 */
export function readLoggedPieces<TAbout>(
  text: string,
  { marker, reason }: { marker: string; reason: string },
  pieceOf: (json: unknown) => LoggedPiece<TAbout> | undefined,
): ReturnType<typeof joinLoggedPieces<TAbout>> & { damaged: number[]; skipped: number } {
  const damaged: number[] = []
  let skipped = 0
  const pieces = text.split(/\r?\n/).flatMap((line, index) => {
    const piece = pieceOf(jsonOfLogLine(line))
    if (piece) return [piece]
    if (line.includes(marker) && line.includes(reason)) damaged.push(index + 1)
    else if (line.trim() !== '') skipped++
    return []
  })
  return { ...joinLoggedPieces(pieces), damaged, skipped }
}
