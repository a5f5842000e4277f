import { describe, expect, it } from 'vitest'
import { type ProgressStream, terminalProgress } from '../../lib/operator/progress'

/** stderr as a test sees it: a terminal or not, and what was written to it. */
function stderrStandIn(isTTY: boolean) {
  const written: string[] = []
  const stream: ProgressStream = { isTTY, write: (text: string) => written.push(text) }
  return { stream, written }
}

/** A clock the test moves by hand. */
function clock() {
  let ms = 0
  return { now: () => ms, pass: (by: number) => (ms += by) }
}

describe('terminalProgress', () => {
  it('writes a whole line at most once per interval when stderr is a terminal', () => {
    const { stream, written } = stderrStandIn(true)
    const time = clock()
    const show = terminalProgress(stream, { everyMs: 1000, now: time.now })

    show(() => 'at once') // a short run shows nothing
    time.pass(1000)
    show(() => 'one second')
    time.pass(400)
    show(() => 'too soon')
    time.pass(600)
    show(() => 'two seconds')

    expect(written).toStrictEqual(['one second\n', 'two seconds\n'])
  })

  it('writes nothing, and builds no line, when stderr is a file or a pipe', () => {
    for (const isTTY of [false, undefined]) {
      const written: string[] = []
      const time = clock()
      const show = terminalProgress(
        { isTTY, write: (text: string) => written.push(text) },
        { everyMs: 1000, now: time.now },
      )
      time.pass(5000)
      show(() => {
        throw new Error('built without a terminal')
      })
      expect(written).toStrictEqual([])
    }
  })
})
