import { describe, expect, it } from 'vitest'
import { UNSTORED_CALLBACK_MARKER } from '../../lib/durability/fallback-message'
import { keepRejectedCallback, keptBody, logPieces } from '../../lib/durability/keep-rejected'
import type { QuarantinedCallback } from '../../lib/durability/quarantine'
import { extractLoggedQuarantine } from '../../lib/durability/quarantine-import'
import { captureLogger, captureMetrics } from '../support/capture-logger'
import { memoryQuarantine } from '../support/memory-quarantine'

const TOKEN = 'unit-test-token-0123456789'
const REJECTED = {
  statusCode: 422,
  problems: ['data.picInfo.1.timeOffset: the time offset must not be negative'],
  receivedAt: '2026-11-24T03:00:00.000Z',
  requestId: 'req-1',
  body: '{"eventType":"CreateSnapshotByTimeOffsetComplete"}',
  isBase64Encoded: false,
  eventType: 'CreateSnapshotByTimeOffsetComplete',
}
const ENTRY: QuarantinedCallback = {
  kind: 'vod-snapshots/quarantined-callback',
  id: '20261124T030000000Z-req-1',
  receivedAt: REJECTED.receivedAt,
  requestId: 'req-1',
  statusCode: 422,
  problems: REJECTED.problems,
  eventType: 'CreateSnapshotByTimeOffsetComplete',
  body: REJECTED.body,
  bodyEncoding: 'utf8',
}

describe('keptBody', () => {
  it('keeps a text body as it came, with every configured secret replaced', () => {
    expect(keptBody({ body: `{"a":"${TOKEN}"}`, isBase64Encoded: false }, [TOKEN])).toStrictEqual({
      body: '{"a":"[REDACTED]"}',
      bodyEncoding: 'utf8',
    })
  })

  it('decodes a base64 body that is UTF-8 into text', () => {
    const body = Buffer.from('{"é":1}').toString('base64')
    expect(keptBody({ body, isBase64Encoded: true }, [TOKEN])).toStrictEqual({
      body: '{"é":1}',
      bodyEncoding: 'utf8',
    })
  })

  it('keeps the bytes of a body that is not UTF-8, as base64, byte for byte but the secrets', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.from(TOKEN),
      Buffer.from([0xc3]),
    ])
    const kept = keptBody({ body: bytes.toString('base64'), isBase64Encoded: true }, [TOKEN])
    expect(kept.bodyEncoding).toBe('base64')
    expect(Buffer.from(kept.body, 'base64')).toStrictEqual(
      Buffer.concat([
        Buffer.from([0xff, 0xfe, 0x00]),
        Buffer.from('[REDACTED]'),
        Buffer.from([0xc3]),
      ]),
    )
  })
})

describe('logPieces', () => {
  it('cuts a long text into pieces that join back to it and stay small once escaped', () => {
    const text = `${'a'.repeat(250_000)}${'\u0001'.repeat(100_000)}😀${'b'.repeat(10)}`
    const pieces = logPieces(text, 150_000)
    expect(pieces.join('')).toBe(text)
    expect(pieces.length).toBeGreaterThan(2)
    for (const piece of pieces) expect(JSON.stringify(piece).length).toBeLessThanOrEqual(180_000)
  })

  it('never splits a surrogate pair', () => {
    const text = `a${'😀'.repeat(10)}`
    // A lone surrogate would not survive UTF-8.
    for (const piece of logPieces(text, 4)) expect(Buffer.from(piece).toString()).toBe(piece)
    expect(logPieces(text, 4).join('')).toBe(text)
  })

  it('gives one empty piece for an empty body', () => {
    expect(logPieces('')).toStrictEqual([''])
  })
})

describe('keepRejectedCallback', () => {
  it('keeps the whole entry in the quarantine and counts it', async () => {
    const quarantine = memoryQuarantine()
    const logger = captureLogger()
    const metrics = captureMetrics()
    const where = await keepRejectedCallback(REJECTED, {
      quarantine,
      logger,
      metrics,
      secrets: [TOKEN],
      timeoutMs: 1000,
    })
    expect(where).toBe('quarantine')
    expect(quarantine.kept).toStrictEqual([ENTRY])
    expect(metrics.totals()).toStrictEqual({ CallbacksQuarantined: 1 })
    expect(logger.lines).toStrictEqual([
      {
        level: 'WARN',
        message: 'callback quarantined',
        fields: { quarantineId: ENTRY.id, statusCode: 422 },
      },
    ])
  })

  it('logs the entry in pieces when the quarantine fails, and the pieces import back whole', async () => {
    const body = JSON.stringify({ data: 'x'.repeat(700_000), token: TOKEN })
    const logger = captureLogger()
    const metrics = captureMetrics()
    const where = await keepRejectedCallback(
      { ...REJECTED, body },
      {
        quarantine: memoryQuarantine(new Error('S3 is down')),
        logger,
        metrics,
        secrets: [TOKEN],
        timeoutMs: 1000,
      },
    )
    expect(where).toBe('log')
    expect(metrics.totals()).toStrictEqual({ CallbacksQuarantined: 1, QuarantineFailed: 1 })
    expect(logger.lines[0]).toStrictEqual({
      level: 'ERROR',
      message: 'quarantine failed',
      fields: { quarantineId: ENTRY.id, reason: 'S3 is down' },
    })
    const pieces = logger.lines.slice(1)
    expect(pieces.length).toBeGreaterThan(4)
    // As CloudWatch keeps them: one JSON line each, well under 256 KB, and no secret.
    const exported = pieces
      .map((line) => JSON.stringify({ level: line.level, message: line.message, ...line.fields }))
      .reverse()
      .join('\n')
    for (const line of exported.split('\n')) expect(line.length).toBeLessThan(256 * 1024)
    expect(exported).not.toContain(TOKEN)
    expect(pieces.every((line) => line.message === UNSTORED_CALLBACK_MARKER)).toBe(true)
    // A piece cut short by a careless export: named by its line, never imported.
    const [first = '', ...rest] = exported.split('\n')
    const cut = [first.slice(0, 200), ...rest].join('\n')
    expect(extractLoggedQuarantine(`prefix\n${exported}\nnot json\n\n`)).toStrictEqual({
      entries: [{ ...ENTRY, body: body.replace(TOKEN, '[REDACTED]') }],
      incomplete: [],
      damaged: [],
      skipped: 2,
    })
    expect(extractLoggedQuarantine(`prefix\n${cut}`)).toStrictEqual({
      entries: [],
      incomplete: [ENTRY.id],
      damaged: [2],
      skipped: 1,
    })
  })

  it('names an entry whose pieces are not all in the file', async () => {
    const logger = captureLogger()
    await keepRejectedCallback(
      { ...REJECTED, body: 'y'.repeat(400_000) },
      { logger, metrics: captureMetrics(), secrets: [], timeoutMs: 1000 },
    )
    const lines = logger.lines.map((line) =>
      JSON.stringify({ message: line.message, ...line.fields }),
    )
    expect(extractLoggedQuarantine(lines.slice(1).join('\n'))).toStrictEqual({
      entries: [],
      incomplete: [ENTRY.id],
      damaged: [],
      skipped: 0,
    })
  })
})
