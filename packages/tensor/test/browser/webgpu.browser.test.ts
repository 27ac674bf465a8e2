/**
 * The built package in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no browser is
 * downloaded): a real subset of the conformance suite (elementwise, reductions, matmul, softmax, layerNorm)
 * runs on navigator.gpu (SwiftShader here) and is checked against the CPU backend in Node.
 * Skipped with a printed reason when chromium is missing, failing instead when REQUIRE_WEBGPU=1.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibratedTimeout } from '../../../../scripts/test-timeout.mjs';
import * as T from '../../src/index.js';
// @ts-expect-error: plain JS shared with the page (no declaration file)
import { cases } from './cases.js';

interface Inputs {
  a: number[];
  b: number[];
  c: number[];
  x3: number[];
}
interface PageResult {
  adapter: string;
  backend: string;
  tensorsLeft: number;
  results: Record<string, { shape: number[]; dtype: string; data: number[] }>;
}
const here = dirname(fileURLToPath(import.meta.url));

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const problem = existsSync(CHROMIUM)
  ? null
  : `${CHROMIUM} not found (install Debian's chromium: scripts/install-system.sh)`;
if (problem) {
  if (process.env.REQUIRE_WEBGPU === '1')
    throw new Error(`REQUIRE_WEBGPU=1 but the browser test cannot run: ${problem}`);
  console.warn(`[norga] skipping the browser WebGPU test: ${problem}`);
}

function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(((s >>> 8) / 16777216) * 4 - 2);
  });
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.map': 'application/json',
};

describe.runIf(problem === null)('browser: the built package on navigator.gpu (headless Chromium)', () => {
  let outDir = '';
  let server: Server;
  let browser: Browser;
  let origin = '';

  beforeAll(async () => {
    // Build exactly what the package ships (src/index.ts, ESM), into a private folder: dist/ belongs to `pnpm build`.
    outDir = mkdtempSync(join(tmpdir(), 'norga-browser-'));
    await build({
      entry: ['src/index.ts'],
      format: ['esm'],
      outDir,
      dts: false,
      sourcemap: false,
      target: 'es2022',
      silent: true,
      clean: true,
      config: false,
    });
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      // The page and the case table are served from this folder as they are; /lib/ is the fresh build.
      const own: Record<string, string> = { '/': 'page.html', '/cases.js': 'cases.js' };
      const mine = own[path];
      if (mine) {
        res.setHeader('content-type', TYPES[extname(mine)]!);
        res.end(readFileSync(join(here, mine)));
        return;
      }
      const file = resolve(outDir, `.${path.replace(/^\/lib/, '')}`);
      if (!path.startsWith('/lib/') || !file.startsWith(outDir) || !existsSync(file)) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
      res.end(readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('elementwise, reductions, matmul, softmax and layerNorm agree with the CPU backend', async () => {
    const page = await browser.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(`${origin}/`);
    await page
      .waitForFunction('window.ready === true', undefined, { timeout: calibratedTimeout(60_000) })
      .catch(() => {
        throw new Error(`the page did not load the package:\n${logs.join('\n')}`);
      });
    const inputs: Inputs = { a: values(132, 1), b: values(660, 2), c: values(132, 3), x3: values(1050, 4) };
    // Errors from the page carry page URLs in their stacks; report the message and the console instead.
    const out = (await page.evaluate(`window.runSubset(${JSON.stringify(inputs)})`).catch((e: Error) => {
      // (Stack lines name page URLs, which vitest would try to open as files.)
      const message = e.message.replace(/^\s+at .*$/gm, '').trim();
      const err = new Error(`in the page: ${message}\n${logs.join('\n')}`);
      err.stack = err.message;
      throw err;
    })) as PageResult | string;
    await page.close();
    if (typeof out === 'string') {
      if (process.env.REQUIRE_WEBGPU === '1')
        throw new Error(`browser WebGPU unavailable: ${out}\n${logs.join('\n')}`);
      console.warn(`[norga] browser has no WebGPU adapter (${out}); nothing compared`);
      return;
    }
    console.log(`[norga] browser adapter: ${out.adapter}`);
    expect(out.backend).toBe('webgpu');
    expect(out.tensorsLeft, 'tensors leaked in the page').toBe(0);
    const cpuCases = cases(T, inputs, 'cpu') as Record<string, () => T.Tensor>;
    expect(Object.keys(out.results).sort()).toEqual(Object.keys(cpuCases).sort());
    for (const [name, buildCpu] of Object.entries(cpuCases)) {
      const y = T.tidy(buildCpu);
      const want = Array.from(await y.data());
      const got = out.results[name]!;
      expect(got.shape, name).toEqual([...y.shape]);
      expect(got.dtype, name).toBe(y.dtype);
      const bad = want
        .map((w, i) => [i, w as number, got.data[i]!] as const)
        .filter(([, w, g]) => !(Math.abs(g - w) <= 1e-5 + 1e-4 * Math.abs(w)))
        .slice(0, 5);
      expect(bad, name).toEqual([]);
      y.dispose();
    }
  });
});
