import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'

/** An API Gateway HTTP API (payload 2.0) event for `POST /vod/callback`, as Lambda receives it. */
export function callbackEvent(
  body: string | undefined,
  {
    token,
    headers = {},
    isBase64Encoded = false,
  }: { token?: string; headers?: Record<string, string>; isBase64Encoded?: boolean } = {},
): APIGatewayProxyEventV2 {
  const queryStringParameters = token === undefined ? undefined : { token }
  return {
    version: '2.0',
    routeKey: 'POST /vod/callback',
    rawPath: '/vod/callback',
    rawQueryString: token === undefined ? '' : `token=${encodeURIComponent(token)}`,
    headers: { 'content-length': String(body?.length ?? 0), ...headers },
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example',
      domainPrefix: 'api',
      http: {
        method: 'POST',
        path: '/vod/callback',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'VOD',
      },
      requestId: 'request-1',
      routeKey: 'POST /vod/callback',
      stage: '$default',
      time: '24/Nov/2026:03:00:00 +0000',
      timeEpoch: 1795489200000,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded,
  }
}

/** A Lambda context with a generous remaining time. */
export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'vod-snapshots-test-callback',
    functionVersion: '$LATEST',
    invokedFunctionArn:
      'arn:aws:lambda:us-east-1:123456789012:function:vod-snapshots-test-callback',
    memoryLimitInMB: '1024',
    awsRequestId: 'invocation-1',
    logGroupName: '/aws/lambda/vod-snapshots-test-callback',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 6000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }
}
