import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One worker: the WebGPU device is one per run, and the machine has 2 cores.
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
