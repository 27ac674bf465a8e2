#!/usr/bin/env node
/**
 * Bundles the page's three scripts with esbuild for the browser (the packages' `browser` export condition;
 * chart.js from node_modules, nothing from a CDN) into examples/browser/dist/ (or the folder given):
 *   app.js     the continual-learning page (index.html): controls and live charts
 *   worker.js  its training worker (worker.js over continual.js)
 *   gates.js   the gate explorer (gates.html)
 * Needs the packages built (`pnpm build`).   node examples/browser/build.mjs [outDir]
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** The entry points, by the name of the bundle they become. */
const ENTRIES = { app: 'app.js', worker: 'worker.js', gates: 'gates.js' };

/**
 * Writes the three bundles into `outDir`; returns their paths by name.
 * @param {string} [outDir]
 */
export async function buildPage(outDir = join(import.meta.dirname, 'dist')) {
  await build({
    entryPoints: Object.fromEntries(
      Object.entries(ENTRIES).map(([name, file]) => [name, join(import.meta.dirname, file)]),
    ),
    outdir: outDir,
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'warning',
  });
  return Object.fromEntries(Object.keys(ENTRIES).map((name) => [name, join(outDir, `${name}.js`)]));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = resolve(process.argv[2] ?? join(import.meta.dirname, 'dist'));
  await buildPage(out);
  console.log(`page bundled into ${out}`);
}
