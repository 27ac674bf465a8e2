/**
 * What the browser tests share: Debian's Chromium (driven by playwright-core, nothing downloaded) with WebGPU
 * on, behind a local HTTP server sending the cross-origin-isolation headers the example's server sends, and a
 * page whose console and errors are collected for the failure message.
 */
import { existsSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { type Browser, chromium, type Page } from 'playwright-core';

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

/**
 * Why `what` cannot run in Chromium here, or null when it can. A missing browser is printed as a skip, and
 * throws when REQUIRE_WEBGPU=1 (CI), where a skipped check must not pass.
 */
export function chromiumProblem(what: string): string | null {
  if (existsSync(CHROMIUM)) return null;
  const problem = `${CHROMIUM} not found (install Debian's chromium: scripts/install-system.sh)`;
  if (process.env.REQUIRE_WEBGPU === '1')
    throw new Error(`REQUIRE_WEBGPU=1 but ${what} cannot run: ${problem}`);
  console.warn(`[norga] skipping ${what}: ${problem}`);
  return problem;
}

export interface Tab {
  browser: Browser;
  origin: string;
  /** A new page at `origin` + `path` (default '/') with its console lines and page errors gathered in `logs`. */
  open(path?: string, viewport?: { width: number; height: number }): Promise<{ page: Page; logs: string[] }>;
  close(): Promise<void>;
}

/** Serves `handler` on a free local port (cross-origin isolated) and launches Chromium. */
export async function startTab(handler: RequestListener): Promise<Tab> {
  const server = createServer((req, res) => {
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'require-corp');
    handler(req, res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  return {
    browser,
    origin,
    async open(path = '/', viewport) {
      const page = await browser.newPage(viewport ? { viewport } : {});
      const logs: string[] = [];
      page.on('console', (m) => logs.push(m.text()));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      await page.goto(`${origin}${path}`);
      return { page, logs };
    },
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}
