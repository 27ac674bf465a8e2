import { defineConfig } from 'vitest/config';

// The packaging tests spawn node, tsc and pnpm pack: seconds each on a loaded 2-core machine.
export default defineConfig({ test: { testTimeout: 120_000 } });
