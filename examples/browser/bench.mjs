#!/usr/bin/env node
import { readdirSync, readFileSync } from 'node:fs';
/**
 * Times the page's comparison (prefix tuning and NoRGa, one seed, `norga run`'s default configuration with
 * `--per-class` training images per class) in Node and in a headless Chromium tab (Debian's /usr/bin/chromium,
 * SwiftShader for WebGPU), on the same machine, one after the other:
 *   pnpm build && node examples/browser/bench.mjs [--per-class 100] [--seed 1] [--runs node,cpu,webgpu] [--screenshot DIR]
 *     [--config JSON]   (RunConfig fields over the defaults, as the page's URL takes them)
 * node: continual.js in this process on the CPU backend (the worker's code, from loading the data to the end);
 * cpu / webgpu: the served page (index.html, its worker, its charts), the worker's own clock over the same span.
 * Prints one JSON line per run (wall seconds, and CPU seconds of this process or of the browser's processes)
 * and the load average before and after (the machine may be shared); with
 * --screenshot, saves the page at the end of each tab run as DIR/browser-page-<backend>.png.
 */
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as N from '@norga/norga';
import * as T from '@norga/tensor';
import { readSafetensors } from '@norga/vit';
import { chromium } from 'playwright-core';
import { buildPage } from './build.mjs';
import { writePageData } from './build-data.mjs';
import { runComparison } from './continual.js';
import { imageSetFromBytes, PAGE_FILES } from './page-data.js';
import { staticFiles } from './serve.mjs';

const { values: o } = parseArgs({
  options: {
    'per-class': { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: 'node,cpu,webgpu' },
    screenshot: { type: 'string' },
    config: { type: 'string', default: '{}' },
  },
});
const perClass = Number(o['per-class']);
const seed = Number(o.seed);
const here = import.meta.dirname;
const dataDir = await writePageData(join(here, 'data'));
await buildPage();
const cfg = {
  ...JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')),
  ...JSON.parse(o.config),
  trainPerClass: perClass,
  seeds: [seed],
};
/**
 * CPU seconds (user + system) of this process's descendants that are still running (the browser's processes,
 * read from /proc on Linux; null elsewhere). The machine may be shared: CPU time is what a run costs whatever else
 * runs, wall time is what its user waits.
 */
function childCpuSeconds() {
  try {
    const stats = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((pid) => {
        try {
          // Fields after the command's closing parenthesis: state, ppid, …, utime (12th), stime (13th).
          const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
          return [{ pid: Number(pid), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) }];
        } catch {
          return [];
        }
      });
    const mine = new Set([process.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of stats)
        if (!mine.has(p.pid) && mine.has(p.ppid)) {
          mine.add(p.pid);
          grew = true;
        }
    }
    const ticks = stats
      .filter((p) => p.pid !== process.pid && mine.has(p.pid))
      .reduce((a, p) => a + p.ticks, 0);
    return ticks / 100; // USER_HZ
  } catch {
    return null;
  }
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const faa = (results) =>
  Object.fromEntries(
    Object.entries(results).map(([m, r]) => {
      const last = r.acc.map((row) => row[row.length - 1]);
      return [m, Number(((100 * last.reduce((a, b) => a + b, 0)) / last.length).toFixed(2))];
    }),
  );

/** The worker's work in this process: read the page's files, split, load the backbone, run. */
async function inNode() {
  await T.setBackend('cpu');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const meta = JSON.parse(readFileSync(join(dataDir, 'meta.json'), 'utf8'));
  const set = (split) =>
    imageSetFromBytes(
      meta,
      split,
      readFileSync(join(dataDir, PAGE_FILES[split].images)),
      readFileSync(join(dataDir, PAGE_FILES[split].labels)),
    );
  const data = N.splitBenchmark(cfg.benchmark, set('train'), set('test'), { ...cfg, seed });
  const bytes = new Uint8Array(readFileSync(join(dataDir, 'backbone.safetensors')));
  const { backbone } = N.backboneFromSafetensors(readSafetensors(bytes), 'backbone.safetensors', 'tiny');
  const results = await runComparison(N, { backbone, data, cfg, seed });
  backbone.dispose();
  const cpu = process.cpuUsage(cpu0);
  return {
    results,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    device: 'Node, CPU backend',
  };
}

/** The served page on `backend` in headless Chromium. */
async function inTab(backend) {
  const server = createServer(staticFiles(join(here, '..', '..')));
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1160, height: 1000 } });
    const query = new URLSearchParams({
      backend,
      perClass: String(perClass),
      seed: String(seed),
      autostart: '1',
      config: o.config,
    });
    const cpu0 = childCpuSeconds();
    await page.goto(`http://127.0.0.1:${server.address().port}/examples/browser/?${query}`);
    await page.waitForFunction("['done', 'error'].includes(window.norgaPage.state)", null, {
      timeout: 0,
      polling: 1000,
    });
    const got = await page.evaluate('window.norgaPage');
    // The browser's CPU time from loading the page to the end (its start-up before that left out).
    const cpuSeconds = cpu0 === null ? null : childCpuSeconds() - cpu0;
    if (got.state !== 'done') throw new Error(`the page on ${backend}: ${got.error}`);
    if (o.screenshot)
      await page.screenshot({ path: join(o.screenshot, `browser-page-${backend}.png`), fullPage: true });
    const device = backend === 'webgpu' ? `tab, WebGPU: ${got.adapter}` : 'tab, CPU tier';
    return { results: got.results, seconds: got.seconds, cpuSeconds, device };
  } finally {
    await browser.close();
    server.close();
  }
}

console.log(`# load average before: ${load()}`);
const runs = {};
for (const run of o.runs.split(',')) {
  const r = run === 'node' ? await inNode() : await inTab(run);
  runs[run] = r;
  // On the CPU tier, every number (accuracies, gates, masses) should be Node's.
  const same =
    run !== 'node' && runs.node
      ? { identicalToNode: JSON.stringify(r.results) === JSON.stringify(runs.node.results) }
      : {};
  console.log(
    JSON.stringify({
      run,
      device: r.device,
      perClass,
      config: JSON.parse(o.config),
      seed,
      seconds: Number(r.seconds.toFixed(1)),
      cpuSeconds: r.cpuSeconds === null ? null : Number(r.cpuSeconds.toFixed(1)),
      faa: faa(r.results),
      ...same,
      load: load(),
    }),
  );
}
