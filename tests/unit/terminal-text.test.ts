import { describe, expect, it } from 'vitest'
import { forTerminal, jsonForTerminal, textForTerminal } from '../../lib/operator/terminal-text'

// What a sender could put in a callback to drive a terminal: clear the screen, set the window
// title (OSC ... BEL), the 8-bit CSI, a right-to-left override, and a lone surrogate.
const ATTACK = 'a\u001b[2J\u001b]0;owned\u0007\u009b\u202e\ud800z'
const RAW = ['\u001b', '\u0007', '\u009b', '\u202e', '\ud800']
const SHOWN = 'a\\u001b[2J\\u001b]0;owned\\u0007\\u009b\\u202e\\ud800z'

describe('forTerminal', () => {
  it('writes escape sequences, C1 controls, bidi overrides and lone surrogates as \\uXXXX', () => {
    const shown = forTerminal(ATTACK)
    expect(shown).toBe(SHOWN)
    for (const char of RAW) expect(shown).not.toContain(char)
  })

  it('escapes every C0 control, DEL, every C1 control and every bidi control, one by one', () => {
    const codes = [
      ...Array.from({ length: 0x20 }, (_, i) => i),
      ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
      0x061c,
      0x200e,
      0x200f,
      ...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069],
      0xd800,
      0xdbff,
      0xdc00,
      0xdfff,
    ]
    for (const code of codes) {
      expect(forTerminal(String.fromCharCode(code))).toBe(
        `\\u${code.toString(16).padStart(4, '0')}`,
      )
    }
  })

  it('escapes newline, tab and carriage return: one value stays on one line', () => {
    expect(forTerminal('a\nb\tc\r')).toBe('a\\u000ab\\u0009c\\u000d')
  })

  it('escapes the invisible characters by which two IDs look the same, and the line separators', () => {
    // Found outside: a zero-width space, a BOM, a soft hyphen, an interlinear annotation and a
    // tag character were printed as they came.
    expect(forTerminal('a\u200bb\ufeffc\u00add\ufff9e\u{e0001}f\u2028g\u2029h')).toBe(
      'a\\u200bb\\ufeffc\\u00add\\ufff9e\\udb40\\udc01f\\u2028g\\u2029h',
    )
  })

  it('leaves other text as it is: Chinese, accents, emoji (a surrogate pair), backslashes', () => {
    const text = '截图 视频-1.mp4 é ✓ 😀 \\u001b http://例え.jp/a b.png'
    expect(forTerminal(text)).toBe(text)
  })
})

describe('textForTerminal', () => {
  it('keeps the newlines and tabs that lay out a body, and escapes everything forTerminal does', () => {
    expect(textForTerminal(`{\n\t"x": "${ATTACK}\r"\n}`)).toBe(`{\n\t"x": "${SHOWN}\\u000d"\n}`)
  })
})

describe('jsonForTerminal', () => {
  it('prints JSON that parses back to the value, with C1 and bidi controls escaped too', () => {
    const value = { body: ATTACK, fileName: '截图.mp4', problems: ['\u0085\u2066x\u2069'] }
    const json = jsonForTerminal(value)
    for (const char of [...RAW, '\u0085', '\u2066', '\u2069']) expect(json).not.toContain(char)
    expect(json).toContain('"截图.mp4"')
    expect(json).toContain('\\u009b\\u202e\\ud800')
    expect(JSON.parse(json)).toStrictEqual(value)
    expect(json).toBe(
      [
        '{',
        `  "body": "${SHOWN}",`,
        '  "fileName": "截图.mp4",',
        '  "problems": [',
        '    "\\u0085\\u2066x\\u2069"',
        '  ]',
        '}',
      ].join('\n'),
    )
  })
})
