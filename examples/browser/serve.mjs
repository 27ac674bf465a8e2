#!/usr/bin/env node
/**
 * Serves the repository root over HTTP so the browser page can import the built packages:
 *   pnpm build && pnpm --filter @norga/examples browser   →  http://localhost:8080/examples/browser/
 * (that script first writes the page data with build-data.mjs).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const port = Number(process.env.PORT ?? 8080);
const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
  '.u8': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
};

createServer((req, res) => {
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
    'content-type': types[extname(path)] ?? 'application/octet-stream',
    // Cross-origin isolation: SharedArrayBuffer, so the WebAssembly tier runs its worker pool in the tab.
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  createReadStream(path).pipe(res);
}).listen(port, () => console.log(`norga browser page: http://localhost:${port}/examples/browser/`));
