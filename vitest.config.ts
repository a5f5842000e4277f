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
      // Lambda runs Node 22; the SDK's notice about older versions is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Tests that check metrics pass their own sink; the global one would flush into the output.
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
