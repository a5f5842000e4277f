import { describe, expect, it } from 'vitest'
import { runScript } from '../support/run-script'

// What an operator typed or pasted comes back in the problem: shown, never obeyed.
const PASTED = 'bad\u001b[2J\u202estage'
const SHOWN = 'bad\\u001b[2J\\u202estage'

describe("the operator commands' usage errors", () => {
  it.each([
    ['stage', [PASTED]],
    ['send', ['body.json', PASTED]],
    ['query', ['--task', 'x', `--${PASTED}`]],
  ])('npm run %s quotes a pasted control sequence escaped, exit 2', async (script, args) => {
    const run = await runScript(script, args, { AWS_REGION: 'us-east-1' })

    expect(run.code).toBe(2)
    expect(run.stderr).toContain(SHOWN)
    expect(['\u001b', '\u202e'].filter((char) => run.stderr.includes(char))).toStrictEqual([])
  })
})
