import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { LOCAL_DEFAULTS } from '../../lib/runtime/local-defaults'

// npm start passes these variables on to serverless-offline; serverless.yml's own defaults only
// decide when the local stage runs without it, and must then agree with npm start's.
describe("serverless.yml's local stage", () => {
  it('falls back to the defaults npm start and the operator commands assume', async () => {
    const yml = parse(await readFile(new URL('../../serverless.yml', import.meta.url), 'utf8'))
    expect({
      quarantineBucket: yml.custom.quarantineBucket.local,
      sqsEndpoint: yml.params.local.sqsEndpoint,
    }).toStrictEqual({
      quarantineBucket: `\${env:QUARANTINE_BUCKET, '${LOCAL_DEFAULTS.quarantineBucket}'}`,
      sqsEndpoint: `http://127.0.0.1:\${env:SQS_PORT, '${LOCAL_DEFAULTS.sqsPort}'}`,
    })
  })
})
