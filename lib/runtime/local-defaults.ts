/**
 * What `npm start` uses when PORT, DYNAMODB_PORT, SQS_PORT, VOD_PORT, TABLE_NAME or
 * CALLBACK_TOKEN are unset, and what the operator commands assume of a local stack. Never
 * imported by a function: a deployed stage takes its table from serverless.yml and its token
 * from SSM.
 */
export const LOCAL_DEFAULTS = {
  port: 3000,
  dynamodbPort: 8000,
  sqsPort: 9324,
  /** The VOD API stand-in (lib/local/vod-stand-in.ts), on 127.0.0.1. */
  vodPort: 9400,
  tableName: 'vod-snapshots',
  token: 'local-development-token',
  quarantineBucket: 'vod-snapshots-quarantine',
} as const

/** A local DynamoDB needs a signature but checks none: these sign for it. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' }

/** The key pair the stand-in accepts; a request signed with another is refused. */
export const VOD_STAND_IN_CREDENTIALS = {
  secretId: 'AKIDfakeVodSecretId',
  secretKey: 'fakeVodSecretKey',
}
