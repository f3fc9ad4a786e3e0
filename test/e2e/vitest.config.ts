import { defineConfig } from 'vitest/config';

// The e2e suite: a real VS Code (code-server) per scenario file, one file at a time (2 cores).
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/scenarios/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/globalSetup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    // A flaky UI step must show up as a failure, not be hidden by a retry.
    retry: 0,
  },
});
