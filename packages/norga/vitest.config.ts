import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One file at a time: the machine has 2 cores shared with other work, and the end-to-end test trains a model.
    fileParallelism: false,
    testTimeout: 120_000,
  },
});
