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
      // Tests that check metrics pass their own sink; the global one would flush into the output.
      METRICS_DISABLED: 'true',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
