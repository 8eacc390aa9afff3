import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The JSON result is what CI reads to print its one-line summary (see .ci/run).
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
});
