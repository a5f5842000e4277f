import { readFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseDocument } from 'yaml'
import { isPlainObject } from '../runtime/json'

const SERVERLESS_YML = fileURLToPath(new URL('../../serverless.yml', import.meta.url))

/** The parts of serverless.yml the local stack reads; the rest is kept as it is written. */
export interface ServiceDefinition {
  service: string
  provider?: { timeout?: number }
  functions?: Record<string, FunctionDefinition>
  resources: { Resources: Record<string, ResourceDefinition> } & Record<string, unknown>
  [key: string]: unknown
}

interface FunctionDefinition {
  timeout?: number
  events?: Record<string, unknown>[]
}

interface ResourceDefinition {
  Type: string
  Properties?: Record<string, unknown>
}

/** `${file(path)}` standing for a whole value, as serverless.yml includes its resources/ parts. */
const FILE_INCLUDE = /^\$\{file\((?<path>[^)]+)\)\}$/

/**
 * A YAML file as the Framework reads it: anchors and merge keys (`<<`) resolved. A tag (a short
 * CloudFormation form such as `!Ref`) is refused: the Framework reads it with a schema of its
 * own, and this reader would hand on a plain string instead. The files use the long forms.
 */
function parseYaml(text: string, name: string): unknown {
  const document = parseDocument(text, { merge: true })
  const [problem] = [...document.errors, ...document.warnings]
  if (problem) throw new Error(`${name}: ${problem.message.split('\n')[0]}`)
  return document.toJS()
}

/**
 * Replaces every whole-value `${file(path)}` in `value` with the file's content, read relative to
 * the service's folder as the Framework does, its own includes resolved in turn. Any other use of
 * `file` is refused: this reader would otherwise hand the local stack a definition the Framework
 * does not deploy.
 */
async function resolveIncludes(
  value: unknown,
  serviceDir: string,
  chain: readonly string[],
): Promise<unknown> {
  const from = chain.at(-1) ?? 'serverless.yml'
  if (typeof value === 'string') {
    const path = FILE_INCLUDE.exec(value)?.groups?.path
    if (path === undefined) {
      if (value.includes('${file(')) {
        throw new Error(`${from}: only a whole value can be \${file(path)}: ${value}`)
      }
      return value
    }
    const name = relative(serviceDir, resolve(serviceDir, path.trim()))
    if (chain.includes(name)) throw new Error(`${from}: ${name} includes itself`)
    const text = await readFile(resolve(serviceDir, name), 'utf8').catch(
      (error: NodeJS.ErrnoException) => {
        throw new Error(`${from}: cannot read ${path}: ${error.code ?? error.message}`)
      },
    )
    return resolveIncludes(parseYaml(text, name), serviceDir, [...chain, name])
  }
  if (Array.isArray(value)) {
    return Promise.all(value.map((item) => resolveIncludes(item, serviceDir, chain)))
  }
  if (isPlainObject(value)) {
    const entries = await Promise.all(
      Object.entries(value).map(
        async ([key, item]) => [key, await resolveIncludes(item, serviceDir, chain)] as const,
      ),
    )
    return Object.fromEntries(entries)
  }
  return value
}

/**
 * `resources` given as a list, merged into one object as the Framework merges it, section by
 * section (Resources, Conditions, Outputs). Stricter than the Framework, which would deep-merge
 * the two: a name defined in two parts is refused.
 */
function mergeResourceParts(resources: unknown): ServiceDefinition['resources'] {
  const parts = Array.isArray(resources) ? resources : [resources]
  const merged: Record<string, Record<string, unknown>> = { Resources: {} }
  // The Framework skips an empty part (a file that holds nothing, a `~`).
  for (const part of parts.filter((part) => part !== null && part !== undefined)) {
    if (!isPlainObject(part)) throw new Error('serverless.yml: a resources part is not a mapping')
    for (const [section, entries] of Object.entries(part)) {
      if (!isPlainObject(entries)) throw new Error(`serverless.yml: ${section} is not a mapping`)
      merged[section] ??= {}
      const target = merged[section]
      for (const [name, entry] of Object.entries(entries)) {
        if (name in target) throw new Error(`serverless.yml: ${section}.${name} is defined twice`)
        target[name] = entry
      }
    }
  }
  return merged as ServiceDefinition['resources']
}

/**
 * serverless.yml with its resources/ parts included and merged: what `npm start` creates its
 * table and queues from, so that the local ones and the deployed ones come from one definition.
 * Variables other than `${file()}` are left as written.
 */
export async function readServiceDefinition(path = SERVERLESS_YML): Promise<ServiceDefinition> {
  const serviceDir = dirname(path)
  const text = await readFile(path, 'utf8')
  const definition = await resolveIncludes(parseYaml(text, 'serverless.yml'), serviceDir, [
    'serverless.yml',
  ])
  if (!isPlainObject(definition) || typeof definition.service !== 'string') {
    throw new Error('serverless.yml: no service')
  }
  return {
    ...definition,
    resources: mergeResourceParts(definition.resources),
  } as ServiceDefinition
}
