import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The function's module reads its configuration at load time, as it does in Lambda.
    env: {
      TABLE_NAME: 'vod-snapshots-test',
      CALLBACK_TOKEN: 'unit-test-token-0123456789',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
