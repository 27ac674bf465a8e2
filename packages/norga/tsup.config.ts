import { defineConfig } from 'tsup';

export default defineConfig({
  // browser: the Node-free part (the `browser` export condition); index: all of it; cli: the `norga` command.
  entry: ['src/index.ts', 'src/browser.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
