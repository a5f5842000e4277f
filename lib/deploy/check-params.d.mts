import type * as v from 'valibot'

/** One schema per param of serverless.yml; a param without one is refused as unknown. */
export declare const PARAM_RULES: Record<string, v.GenericSchema<unknown, string>>

/** One `name: rule` per invalid param, empty when all are valid; no line holds a value. */
export declare function checkParams(params: Record<string, unknown>): string[]

/** The params as `${param:…}` resolves them: --param, then the stage's block, then `default`. */
export declare function resolvedParams(
  serverless: {
    configurationInput?: { params?: Record<string, Record<string, unknown> | undefined> }
    processedInput?: { options?: { param?: string | string[] } }
  },
  stage: string,
): Record<string, unknown>

/** The Serverless Framework plugin that runs {@link checkParams} before package and deploy. */
export default class CheckParams {
  constructor(serverless: unknown, options?: { stage?: string })
  asyncInit: () => Promise<void>
  hooks: Record<string, () => void>
}
