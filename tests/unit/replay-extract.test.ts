import { describe, expect, it } from 'vitest'
import { toFallbackMessages, UNSTORED_CALLBACK_MARKER } from '../../lib/durability/fallback-message'
import { extractReplayables } from '../../lib/durability/replay'
import { toSnapshotItem } from '../../lib/store/snapshot-item'
import { legacyCallbackWith } from '../support/fixtures'

const RECEIVED_AT = '2026-11-24T03:00:00.000Z'
const body = legacyCallbackWith(1, 'task-extract')
const markerLine = JSON.stringify({
  level: 'ERROR',
  message: UNSTORED_CALLBACK_MARKER,
  receivedAt: RECEIVED_AT,
  body: JSON.stringify(body),
})
const [fallback] = toFallbackMessages([
  toSnapshotItem(
    { vodTaskId: 'task-extract', fileId: '1', definition: 10, timeOffset: 0, status: 0 },
    RECEIVED_AT,
  ),
])
const cloudWatch = (json: string) => `2026-11-24T03:00:00.000Z\t6f1c\tERROR\t${json}`

describe('extractReplayables', () => {
  it('names each damaged marker line by its number, and counts the other lines as skipped', () => {
    const lines = [
      cloudWatch(markerLine),
      '',
      'START RequestId: 6f1c Version: $LATEST',
      cloudWatch(markerLine.slice(0, 80)),
      JSON.stringify({ message: UNSTORED_CALLBACK_MARKER, body: '{"eventType":' }),
      JSON.stringify({ message: UNSTORED_CALLBACK_MARKER, fallback: { ...fallback, results: 7 } }),
      JSON.stringify({ message: UNSTORED_CALLBACK_MARKER, reason: 'throttled' }),
      JSON.stringify({ ...fallback, receivedAt: 'yesterday' }),
      // Lambda's JSON log format, wrapping a cut marker line.
      JSON.stringify({ level: 'ERROR', message: markerLine.slice(0, 60) }),
      JSON.stringify(fallback),
      '{"level":"INFO","message":"callback stored"}',
    ]

    const { entries, damaged, skipped, quarantinePieces } = extractReplayables(
      `${lines.join('\n')}\n`,
      'input.log',
    )

    expect(entries.map((entry) => [entry.kind, entry.source])).toStrictEqual([
      ['callback', 'input.log:1'],
      ['results', 'input.log:10'],
    ])
    expect(damaged).toStrictEqual([
      { source: 'input.log:4', problem: 'a marker line whose JSON is damaged' },
      { source: 'input.log:5', problem: 'a marker line whose body is not JSON' },
      { source: 'input.log:6', problem: 'a marker line whose fallback message is not valid' },
      {
        source: 'input.log:7',
        problem: 'a marker line with neither a body nor a fallback message',
      },
      { source: 'input.log:8', problem: 'a fallback message that is not valid' },
      { source: 'input.log:9', problem: 'a marker line whose JSON is damaged' },
    ])
    expect({ skipped, quarantinePieces }).toStrictEqual({ skipped: 3, quarantinePieces: 0 })
  })

  it('counts a file of other lines as skipped, a final line break starting no line', () => {
    expect(extractReplayables('START RequestId: 1\n\nEND RequestId: 1\n', 'x.log')).toStrictEqual({
      entries: [],
      damaged: [],
      skipped: 3,
      quarantinePieces: 0,
    })
  })

  it('reads a log line that names an event type as a log line, not as a callback body', () => {
    const line = JSON.stringify({
      level: 'WARN',
      message: 'vod event without a handle',
      eventType: 'NewFileUpload',
    })
    expect(extractReplayables(line, 'x.log')).toMatchObject({ entries: [], skipped: 1 })
  })

  it('names a file that is one damaged marker document by its name', () => {
    const text = JSON.stringify(
      { message: UNSTORED_CALLBACK_MARKER, receivedAt: RECEIVED_AT, body: 'cut {' },
      null,
      2,
    )
    expect(extractReplayables(text, 'one.json')).toStrictEqual({
      entries: [],
      damaged: [{ source: 'one.json', problem: 'a marker line whose body is not JSON' }],
      skipped: 0,
      quarantinePieces: 0,
    })
  })

  it('leaves the pieces of unpublished events to their reader, and counts quarantine pieces', () => {
    const event = JSON.stringify({
      message: UNSTORED_CALLBACK_MARKER,
      reason: 'event not published',
      id: 'e1',
      event: { Source: 'vod-snapshots', DetailType: 'FileDeleted' },
      part: 1,
      parts: 1,
      detailPart: '{}',
    })
    const quarantine = JSON.stringify({
      message: UNSTORED_CALLBACK_MARKER,
      reason: 'quarantine failed',
      quarantine: { id: 'q1' },
      part: 1,
      parts: 1,
      bodyPart: 'x',
    })
    expect(extractReplayables([event, quarantine].join('\n'), 'x.log')).toStrictEqual({
      entries: [],
      damaged: [],
      skipped: 1,
      quarantinePieces: 1,
    })
  })
})
