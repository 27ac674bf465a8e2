import { defineConfig } from 'vitest/config';
// Timeouts scale with the machine's load and speed, measured at start (hang detectors, not speed checks).
import { calibratedTimeout } from '../../scripts/test-timeout.mjs';

/**
 * Test files that touch the WebGPU device. They run in one non-isolated worker, so test/helpers/backends.ts
 * (and the one device it opens) is shared by all of them and destroyed when the worker exits.
 */
const GPU_FILES = ['test/conformance/**/*.test.ts', 'test/golden/**/*.test.ts', 'test/webgpu/**/*.test.ts'];
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  test: {
    // One worker: the WebGPU device is one per run, and the machine has 2 cores.
    fileParallelism: false,
    testTimeout: calibratedTimeout(60_000),
    hookTimeout: calibratedTimeout(60_000),
    // Every test file must return live tensors and bytes in use to where they started.
    setupFiles: ['test/conformance/leak-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...ALWAYS_EXCLUDED, ...GPU_FILES, 'test/browser/**'],
        },
      },
      { extends: true, test: { name: 'gpu', include: GPU_FILES, exclude: ALWAYS_EXCLUDED, isolate: false } },
      // Builds the package and drives headless Chromium (navigator.gpu on SwiftShader).
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          exclude: ALWAYS_EXCLUDED,
          testTimeout: calibratedTimeout(180_000),
        },
      },
    ],
  },
});
