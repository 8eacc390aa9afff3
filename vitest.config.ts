import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A private Docker daemon for the Docker driver's tests, unless CI gave one (see test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The JSON result is what CI reads to print its one-line summary (see .ci/run).
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
});
