import { describe, expect, it } from 'vitest'
import { toQueueAttributes } from '../../lib/local/queue-definitions'

const DLQ_ARN = 'arn:aws:sqs:us-east-1:000000000000:vod-snapshots-local-fallback-dlq'

describe('toQueueAttributes', () => {
  it("turns a queue's Properties into CreateQueue's attributes, with the local DLQ's ARN", () => {
    expect(
      toQueueAttributes(
        {
          VisibilityTimeout: 180,
          SqsManagedSseEnabled: true,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': ['FallbackDeadLetterQueue', 'Arn'] },
            maxReceiveCount: 5,
          },
        },
        DLQ_ARN,
      ),
    ).toStrictEqual({
      VisibilityTimeout: '180',
      SqsManagedSseEnabled: 'true',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ_ARN, maxReceiveCount: 5 }),
    })
  })

  it('refuses a redrive policy that targets another queue, or comes before its queue exists', () => {
    const policy = (target: string) => ({
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [target, 'Arn'] }, maxReceiveCount: 5 },
    })
    expect(() => toQueueAttributes(policy('OtherQueue'), DLQ_ARN)).toThrow(
      'serverless.yml: the RedrivePolicy must target FallbackDeadLetterQueue',
    )
    expect(() => toQueueAttributes(policy('FallbackDeadLetterQueue'))).toThrow(
      'a RedrivePolicy needs the dead-letter queue first',
    )
  })
})
