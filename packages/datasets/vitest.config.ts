import { defineConfig } from 'vitest/config';
// Timeouts scale with the machine's load and speed, measured at start (hang detectors, not speed checks).
import { calibratedTimeout } from '../../scripts/test-timeout.mjs';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One worker: the machine has 2 cores shared with the other packages' suites.
    fileParallelism: false,
    testTimeout: calibratedTimeout(120_000),
    hookTimeout: calibratedTimeout(60_000),
  },
});
