import { defineConfig } from 'vitest/config';
// Timeouts scale with the machine's load and speed, measured at start (hang detectors, not speed checks).
import { calibratedTimeout } from '../../scripts/test-timeout.mjs';

/**
 * Test files that run on every backend (test/helpers/backends.ts). They share one non-isolated worker, so the
 * one WebGPU device is opened once and destroyed when the worker exits.
 */
const GPU_FILES = ['test/golden-grads.test.ts', 'test/leak.test.ts', 'test/edges.test.ts'];
const EXCLUDED = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  test: {
    // One worker: the WebGPU device is one per run, and the machine has 2 cores.
    fileParallelism: false,
    testTimeout: calibratedTimeout(60_000),
    hookTimeout: calibratedTimeout(60_000),
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...EXCLUDED, ...GPU_FILES] },
      },
      { extends: true, test: { name: 'gpu', include: GPU_FILES, exclude: EXCLUDED, isolate: false } },
    ],
  },
});
