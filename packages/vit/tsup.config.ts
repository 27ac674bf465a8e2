import { defineConfig } from 'tsup';

export default defineConfig({
  // `node` holds everything that touches the file system, so the main entry stays browser-safe.
  entry: { index: 'src/index.ts', node: 'src/node.ts', train: 'src/train/index.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
