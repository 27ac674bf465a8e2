#!/usr/bin/env node
/**
 * Serves the repository root over HTTP with the cross-origin-isolation headers (SharedArrayBuffer, so the
 * WebAssembly tier runs its worker pool in the tab and the page can pause its worker):
 *   pnpm build && pnpm --filter @norga/examples browser   →  http://localhost:8080/examples/browser/
 * (that script first writes the page data with build-data.mjs and bundles the page with build.mjs).
 * The page test serves the same files through `staticFiles`.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
  '.png': 'image/png',
  '.u8': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
};

/**
 * A request handler serving the files under `root` (a folder's index.html for the folder), nothing outside it.
 * @param {string} root
 * @returns {import('node:http').RequestListener}
 */
export function staticFiles(root) {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
    if (!existsSync(path)) {
      res
        .writeHead(404)
        .end(`not found: ${url.pathname}${url.pathname.includes('/dist/') ? ' (run pnpm build first)' : ''}`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    createReadStream(path).pipe(res);
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(import.meta.dirname, '..', '..');
  const port = Number(process.env.PORT ?? 8080);
  createServer(staticFiles(root)).listen(port, () =>
    console.log(`norga browser page: http://localhost:${port}/examples/browser/`),
  );
}
