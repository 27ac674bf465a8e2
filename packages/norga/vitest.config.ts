import { defineConfig } from 'vitest/config';
// Timeouts scale with the machine's load and speed, measured at start (hang detectors, not speed checks).
import { calibratedTimeout } from '../../scripts/test-timeout.mjs';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One file at a time: the machine has 2 cores shared with other work, and the end-to-end test trains a model.
    fileParallelism: false,
    // `norga run` in a test runs in its own process unless the test asks for --jobs (parallel-run.test.ts).
    env: { NORGA_JOBS: '1' },
    testTimeout: calibratedTimeout(120_000),
    hookTimeout: calibratedTimeout(60_000),
  },
});
