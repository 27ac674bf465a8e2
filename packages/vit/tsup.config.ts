import { defineConfig } from 'tsup';

export default defineConfig({
  // `node` holds everything that touches the file system, so the main entry stays browser-safe.
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
