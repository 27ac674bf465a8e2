import { defineConfig } from 'vitest/config';
// Timeouts scale with the machine's load and speed, measured at start (hang detectors, not speed checks).
import { calibratedTimeout } from '../scripts/test-timeout.mjs';

// The packaging tests spawn node, tsc and pnpm pack: seconds each, a minute for tsc on a loaded 2-core machine.
export default defineConfig({
  test: { testTimeout: calibratedTimeout(120_000), hookTimeout: calibratedTimeout(60_000) },
});
