import { defineConfig } from 'vitest/config';
// Timeouts scale with the machine's load and speed, measured at start (hang detectors, not speed checks).
import { calibratedTimeout } from '../../scripts/test-timeout.mjs';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One worker: the WebGPU device is one per run, and the machine has 2 cores.
    fileParallelism: false,
    testTimeout: calibratedTimeout(120_000),
    hookTimeout: calibratedTimeout(60_000),
  },
});
