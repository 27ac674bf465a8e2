import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One worker: the machine has 2 cores shared with the other packages' suites.
    fileParallelism: false,
    testTimeout: 120_000,
  },
});
