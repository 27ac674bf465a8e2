import { defineConfig } from 'tsup';

export default defineConfig({
  // index: everything (Node); browser: only what needs no file system; cli: the `norga-data` command.
  entry: ['src/index.ts', 'src/browser.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/browser.ts'] },
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
