/**
 * A Serverless Framework plugin: every param of serverless.yml (`params:` and each `--param`) is
 * checked before `package` and `deploy` build anything, so a typo fails the command in one line
 * instead of producing a stack whose functions refuse to start (or a CloudFormation error half-way
 * through a deploy). The messages name the param and the rule, never the value: several params
 * hold secrets (the token, the signing key, a receiver's key in forwardUrl's query).
 *
 * The rules are the functions' own (lib/runtime/config.ts, lib/pull/pull-config.ts,
 * lib/forward/forward-config.ts, lib/reconcile/scheduled-reconcile.ts), stricter only where AWS is
 * (tests/integration/param-checks.test.ts checks that every value accepted here is accepted there).
 */
import * as v from 'valibot'

/** AWS's rule for an SSM parameter name, with the leading slash the IAM policies build on. */
const SSM_NAME = /^(\/[A-Za-z0-9_.-]+)+$/
const SSM_NAME_MAX = 1011

const isSsmName = (name) => name.length <= SSM_NAME_MAX && SSM_NAME.test(name)

/** A param's rule: a test of its text, and the message that names the rule (never the value). */
const rule = (message, test) => v.pipe(v.string(message), v.check(test, message))

const matching = (pattern, message) => rule(message, (text) => pattern.test(text))

const isUrl = (text, protocols) => URL.canParse(text) && protocols.test(new URL(text).protocol)

/** A comma-separated list, as CALLBACK_TOKEN and CALLBACK_SIGN_KEY are read. */
const listItems = (raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')

/** VOD_ENDPOINT as vodHttpProfile (lib/pull/vod-client.ts) takes it. */
function isVodEndpoint(endpoint) {
  if (endpoint === '') return true
  const url = endpoint.includes('://') ? endpoint : `https://${endpoint}`
  if (!URL.canParse(url)) return false
  const parsed = new URL(url)
  return (
    /^https?:$/.test(parsed.protocol) &&
    parsed.host !== '' &&
    parsed.pathname === '/' &&
    parsed.search === '' &&
    parsed.username === ''
  )
}

const BOOLEAN = matching(/^(true|false)$/, 'must be true or false')
const ENDPOINT = rule('must be empty or an http(s) URL', (t) => t === '' || isUrl(t, /^https?:$/))
// At most 100 years: a larger number would pass here and fail in CloudFormation half-way (an
// S3 lifecycle's days are a 32-bit integer) or make an expiry past any date DynamoDB reads.
const MAX_DAYS = 36_500
const DAYS = rule(
  `must be a whole number of days from 0 to ${MAX_DAYS}`,
  (text) => /^(0|[1-9]\d{0,4})$/.test(text) && Number(text) <= MAX_DAYS,
)
const MINUTES = rule(
  'must be a whole number of minutes from 1 to 1440',
  (text) => /^[1-9]\d{0,3}$/.test(text) && Number(text) <= 1440,
)
const SSM_RULE = 'an SSM parameter name: /, then letters, digits, _ . - and /'

/** One schema per param of serverless.yml; a param without one is refused as unknown. */
export const PARAM_RULES = {
  // DynamoDB's rule for a table name.
  tableName: matching(/^[A-Za-z0-9_.-]{3,255}$/, 'must be 3 to 255 letters, digits, _ . or -'),
  dynamodbEndpoint: ENDPOINT,
  sqsEndpoint: ENDPOINT,
  // Lambda environment variables take `{{resolve:ssm:…}}`, not `ssm-secure`.
  callbackToken: rule(
    'must be {{resolve:ssm:/name}} or tokens of at least 16 characters, comma-separated',
    (raw) => {
      const reference = /^\{\{resolve:ssm:(.+?)(:\d+)?\}\}$/.exec(raw)
      if (reference) return isSsmName(reference[1] ?? '')
      const tokens = listItems(raw)
      return tokens.length > 0 && tokens.every((token) => token.length >= 16)
    },
  ),
  signKeyParameter: rule(`must be empty or ${SSM_RULE}`, (t) => t === '' || isSsmName(t)),
  callbackSignKey: rule(
    'must be empty or keys of 16 to 32 letters and digits, comma-separated',
    (raw) => listItems(raw).every((key) => /^[A-Za-z0-9]{16,32}$/.test(key)),
  ),
  resultTtlDays: DAYS,
  quarantineExpiryDays: DAYS,
  // An EventBridge API destination calls HTTPS endpoints only.
  forwardUrl: rule('must be empty or an https URL', (t) => t === '' || isUrl(t, /^https:$/)),
  forwardAll: BOOLEAN,
  rejectedCallbacksAlarmThreshold: matching(/^[1-9]\d*$/, 'must be a whole number, 1 or more'),
  metricsDisabled: BOOLEAN,
  pullEnabled: BOOLEAN,
  // A Tencent Cloud region, such as ap-guangzhou or ap-shanghai-fsi.
  vodRegion: matching(/^[a-z]{2}-[a-z]+(-[a-z0-9]+)*$/, 'must be a Tencent Cloud region'),
  vodSubAppId: matching(/^([1-9]\d{0,15})?$/, 'must be empty or a VOD application ID (digits)'),
  vodEndpoint: rule('must be empty, a host, or an http(s) URL without a path', isVodEndpoint),
  tencentSecretParameter: rule(`must be ${SSM_RULE}`, isSsmName),
  reconcileEnabled: BOOLEAN,
  reconcileWindowMinutes: MINUTES,
  reconcileLagMinutes: MINUTES,
}

/**
 * Checks resolved params against {@link PARAM_RULES}.
 * @returns one `name: rule` per problem, empty when all are valid; no line holds a value
 */
export function checkParams(params) {
  return Object.entries(params).flatMap(([name, value]) => {
    const schema = Object.hasOwn(PARAM_RULES, name) ? PARAM_RULES[name] : undefined
    if (!schema) return [`${name}: is not a param of serverless.yml`]
    // YAML gives numbers and booleans; --param and the template give strings.
    const text = ['number', 'boolean'].includes(typeof value) ? String(value) : value
    const result = v.safeParse(schema, text)
    // The first issue is the rule of the schema's last step that failed: one per param.
    return result.success ? [] : [`${name}: ${result.issues[0]?.message}`]
  })
}

/** The params as `${param:…}` resolves them: --param, then the stage's block, then `default`. */
export function resolvedParams(serverless, stage) {
  const declared = serverless.configurationInput?.params ?? {}
  const params = {}
  for (const block of [declared.default, declared[stage]]) {
    for (const [name, value] of Object.entries(block ?? {})) if (value != null) params[name] = value
  }
  for (const item of [serverless.processedInput?.options?.param ?? []].flat()) {
    const match = /^([^=]+)=(.+)$/s.exec(item)
    if (match?.[1] !== undefined) params[match[1]] = (match[2] ?? '').trimEnd()
  }
  return params
}

export default class CheckParams {
  constructor(serverless, options) {
    let checked = false
    const check = () => {
      const stage = options?.stage ?? serverless.service.provider.stage
      // The local stage is npm start's, which checks its own settings; refuse-local-deploy.mjs
      // refuses to package or deploy it.
      if (checked || stage === 'local') return
      checked = true
      const problems = checkParams(resolvedParams(serverless, stage))
      if (problems.length > 0) {
        // The Framework's own error class prints the message without a stack trace.
        const ServerlessError = serverless.classes?.Error ?? Error
        throw new ServerlessError(
          `Invalid params (serverless.yml or --param): ${problems.join('; ')}`,
        )
      }
    }
    // Before the Framework validates the configuration, which would report pullEnabled=yes as
    // "functions.pull.events.0.schedule.enabled: must be boolean", without naming the param.
    this.asyncInit = async () => {
      if (['package', 'deploy'].includes(serverless.processedInput?.commands?.[0])) check()
    }
    // Any other way packaging or deploying starts (`deploy --package` skips packaging).
    this.hooks = {
      'before:package:initialize': check,
      'before:deploy:deploy': check,
      'before:deploy:function:initialize': check,
    }
  }
}
