import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readServiceDefinition } from '../../lib/local/service-definition'

let dir = ''

/** `${file(path)}`, as serverless.yml writes an include. */
const include = (path: string) => `\${file(${path})}`

/** Writes `files` (path → text) into a fresh service folder. */
async function service(files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  return join(dir, 'serverless.yml')
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vod-snapshots-definition-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('readServiceDefinition', () => {
  it("reads this service's table, queues and functions through its resources/ parts", async () => {
    const { service, resources, functions } = await readServiceDefinition()
    expect(service).toBe('vod-snapshots')
    expect(resources.Resources.SnapshotsTable?.Type).toBe('AWS::DynamoDB::Table')
    expect(resources.Resources.FallbackQueue?.Properties).toMatchObject({ VisibilityTimeout: 180 })
    expect(resources.Resources.CallbackRole?.Type).toBe('AWS::IAM::Role')
    expect(Object.keys(resources.Conditions ?? {})).toContain('Forwarding')
    expect(functions?.redrive?.timeout).toBe(30)
  })

  it('includes each part relative to the service, its own includes and merge keys resolved', async () => {
    const path = await service({
      'serverless.yml': [
        'service: demo',
        'resources:',
        `  - ${include('parts/a.yml')}`,
        '  - Outputs:',
        '      Name: { Value: x }',
      ].join('\n'),
      'parts/a.yml': [
        'Resources:',
        '  Queue:',
        '    Type: AWS::SQS::Queue',
        `    Properties: ${include('parts/queue.yml')}`,
        '  Second:',
        '    Type: AWS::SQS::Queue',
        '    Properties:',
        '      <<: &defaults { MessageRetentionPeriod: 60, SqsManagedSseEnabled: true }',
        '      MessageRetentionPeriod: 120',
        '  Third: { Type: AWS::SQS::Queue, Properties: *defaults }',
      ].join('\n'),
      'parts/queue.yml': 'VisibilityTimeout: 30\n',
    })
    expect((await readServiceDefinition(path)).resources).toStrictEqual({
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } },
        Second: {
          Type: 'AWS::SQS::Queue',
          Properties: { MessageRetentionPeriod: 120, SqsManagedSseEnabled: true },
        },
        Third: {
          Type: 'AWS::SQS::Queue',
          Properties: { MessageRetentionPeriod: 60, SqsManagedSseEnabled: true },
        },
      },
      Outputs: { Name: { Value: 'x' } },
    })
  })

  it('names a part that cannot be read', async () => {
    const path = await service({
      'serverless.yml': `service: demo\nresources:\n  - ${include('parts/missing.yml')}\n`,
    })
    await expect(readServiceDefinition(path)).rejects.toThrow(
      'serverless.yml: cannot read parts/missing.yml: ENOENT',
    )
  })

  it('refuses a resource two parts define', async () => {
    const path = await service({
      'serverless.yml': `service: demo\nresources:\n  - ${include('a.yml')}\n  - ${include('b.yml')}\n`,
      'a.yml': 'Resources:\n  Queue: { Type: AWS::SQS::Queue }\n',
      'b.yml': 'Resources:\n  Queue: { Type: AWS::SNS::Topic }\n',
    })
    await expect(readServiceDefinition(path)).rejects.toThrow(
      'serverless.yml: Resources.Queue is defined twice',
    )
  })

  it('skips an empty part, as the Framework does', async () => {
    const path = await service({
      'serverless.yml': `service: demo\nresources:\n  - ${include('empty.yml')}\n  - ~\n`,
      'empty.yml': '# nothing yet\n',
    })
    expect((await readServiceDefinition(path)).resources).toStrictEqual({ Resources: {} })
  })

  it('refuses a part that includes itself, and a short tag it would read as a string', async () => {
    const loop = await service({
      'serverless.yml': `service: demo\nresources:\n  - ${include('a.yml')}\n`,
      'a.yml': `Resources: ${include('b.yml')}\n`,
      'b.yml': `Queue: ${include('a.yml')}\n`,
    })
    await expect(readServiceDefinition(loop)).rejects.toThrow('b.yml: a.yml includes itself')
    await writeFile(join(dir, 'a.yml'), 'Resources:\n  Topic: { Type: !Ref Other }\n')
    await expect(readServiceDefinition(loop)).rejects.toThrow(/^a\.yml: .*!Ref/)
  })

  it('refuses a file variable inside a longer value, which it would hand on unresolved', async () => {
    const path = await service({
      'serverless.yml': `service: demo\ncustom:\n  name: prefix-${include('name.yml')}\n`,
      'name.yml': 'x\n',
    })
    await expect(readServiceDefinition(path)).rejects.toThrow(
      `serverless.yml: only a whole value can be ${include('path')}`,
    )
  })
})
