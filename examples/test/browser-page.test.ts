/**
 * The continual-learning page (examples/browser: index.html, app.js and charts.js, its worker.js over
 * continual.js), as a user gets it from `pnpm --filter @norga/examples browser`: in Node, continual.js gives the
 * accuracy matrices, gates and prefix attention masses `norga run` (runBenchmark) gives for the same configuration
 * and seed; then the page, bundled by build.mjs and served by serve.mjs's handler, runs that configuration to
 * completion in headless Chromium and gives the same numbers again on the CPU tier, and within 0.5 points per
 * accuracy on WebGPU (SwiftShader here); its tables fill in, its charts draw, and a screenshot of each run goes to
 * examples/test-output/. Without chromium the tab half is skipped with a printed reason, and fails instead when
 * REQUIRE_WEBGPU=1 (CI). Needs the packages built (`pnpm build`).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as N from '@norga/norga';
import {
  BENCHMARK_SPECS,
  loadBackbone,
  loadBenchmark,
  type RunConfig,
  RunDir,
  runBenchmark,
  shippedBackbone,
} from '@norga/norga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibratedTimeout } from '../../scripts/test-timeout.mjs';
// @ts-expect-error: plain JS shared with the page (no declaration file)
import { buildPage } from '../browser/build.mjs';
// @ts-expect-error: plain JS shared with the page (no declaration file)
import { writePageData } from '../browser/build-data.mjs';
// @ts-expect-error: plain JS shared with the page (no declaration file)
import { runComparison } from '../browser/continual.js';
// @ts-expect-error: plain JS shared with the page (no declaration file)
import { staticFiles } from '../browser/serve.mjs';
import { chromiumProblem, startTab, type Tab } from './browser-tab.js';

const examples = join(import.meta.dirname, '..');
const SEED = 1;
const TRAIN_PER_CLASS = 6;
type Run = { acc: number[][]; gate: Record<string, number>; tii: number[]; mass: number[][] };
type Results = Record<string, Run>;

/** A small run of both methods: 2 tasks of 5 digits, 6 training and 4 test images per class. */
async function tinyConfig(): Promise<RunConfig> {
  const { info } = await loadBackbone(shippedBackbone('fashion-mnist').path, 'tiny');
  return {
    benchmark: 'split-mnist',
    tasks: 2,
    methods: ['prefix-tuning', 'norga-tanh'],
    seeds: [SEED],
    classOrder: 'seeded',
    trainPerClass: TRAIN_PER_CLASS,
    testPerClass: 4,
    epochs: 1,
    batchSize: 8,
    lr: 0.01,
    headLrScale: 0.1,
    clipGrad: 1,
    promptLength: 5,
    promptLayers: [0, 1],
    promptMomentum: 0.01,
    reg: 0.1,
    gateLearning: 'first-task',
    tiiEpochs: 2,
    tiiLr: 0.001,
    caEpochs: 1,
    caLr: 0.005,
    caSamplesPerClass: 8,
    tiiCaLr: 0.01,
    tiiCaSamplesPerClass: 8,
    backbone: info,
    backend: 'cpu',
  };
}

let cfg: RunConfig;
let inNode: Results;
const posted: unknown[] = [];

beforeAll(async () => {
  cfg = await tinyConfig();
  const { backbone } = await loadBackbone(shippedBackbone('fashion-mnist').path, 'tiny');
  const data = loadBenchmark({ spec: BENCHMARK_SPECS['split-mnist'], ...cfg, seed: SEED });
  inNode = await runComparison(N, { backbone, data, cfg, seed: SEED, post: (m: unknown) => posted.push(m) });
  backbone.dispose();
});

describe('the page worker in Node', () => {
  it('gives the accuracy matrices, gates and prefix masses of norga run (runBenchmark)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'norga-page-run-'));
    try {
      const { backbone } = await loadBackbone(shippedBackbone('fashion-mnist').path, 'tiny');
      const { summary } = await runBenchmark({
        cfg,
        backbone,
        runDir: RunDir.open(join(root, 'run'), { ...cfg }, false),
        command: 'test',
        progressSink: null,
      });
      backbone.dispose();
      for (const run of summary.runs) {
        expect(inNode[run.method]?.acc, run.method).toEqual(run.acc);
        expect(inNode[run.method]?.gate, run.method).toEqual(run.gate);
        // Taken after each task in the page, after the last by norga run: equal, as α, τ stop after task 1.
        expect(inNode[run.method]?.mass, run.method).toEqual(run.prefixMass);
      }
      expect(Object.keys(inNode).sort()).toEqual(summary.runs.map((r) => r.method).sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    // Progress was posted for every phase. (Accuracies of so small a run say nothing: only equality is checked.)
    expect(new Set(posted.map((m) => (m as { type: string }).type))).toEqual(
      new Set(['step', 'tii', 'accuracy', 'gate', 'mass']),
    );
  });
});

const problem = chromiumProblem('the browser page test in Chromium');

describe.runIf(problem === null)('the page in headless Chromium', () => {
  let out = '';
  let tab: Tab;
  const shots = join(examples, 'test-output');

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'norga-page-'));
    // The page's bundles and data in a temporary folder, served where the page looks for them; the rest
    // (index.html) from the repository, by the example server's own handler.
    await writePageData(join(out, 'data'));
    await buildPage(join(out, 'dist'));
    const repo = staticFiles(join(examples, '..'));
    const built = staticFiles(out);
    tab = await startTab((req, res) => {
      const prefix = '/examples/browser/';
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const rest = path.startsWith(prefix) ? path.slice(prefix.length) : '';
      if (rest.startsWith('dist/') || rest.startsWith('data/')) {
        req.url = `/${rest}`;
        built(req, res);
      } else repo(req, res);
    });
    mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await tab?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  /**
   * Runs the page's comparison on `backend` to the end; what it shows, its results and a screenshot. With
   * `pauseOnce`, Pause is pressed after the first message: no message may arrive while paused (past the one or
   * two already on their way), then Resume lets it finish.
   */
  async function runPage(backend: 'cpu' | 'webgpu', pauseOnce = false) {
    const { backbone: _, ...rest } = cfg;
    const query = new URLSearchParams({
      backend,
      perClass: String(TRAIN_PER_CLASS),
      seed: String(SEED),
      autostart: '1',
      config: JSON.stringify(rest),
    });
    const { page, logs } = await tab.open(`/examples/browser/?${query}`, { width: 1160, height: 1000 });
    if (pauseOnce) {
      await page.waitForFunction('window.norgaPage.messages >= 1', null, { timeout: 0, polling: 100 });
      await page.click('#pause');
      expect(await page.textContent('#pause')).toBe('Resume');
      await page.waitForTimeout(1000);
      const before = await page.evaluate('window.norgaPage.messages');
      await page.waitForTimeout(1500);
      expect(await page.evaluate('[window.norgaPage.state, window.norgaPage.messages]')).toEqual([
        'paused',
        before,
      ]);
      await page.click('#pause');
    }
    await page.waitForFunction("['done', 'error'].includes(window.norgaPage.state)", null, {
      timeout: 0,
      polling: 500,
    });
    const got = (await page.evaluate(`(() => {
      // Pixels of the series' colours (opaque, exact): axes, grid and text are other colours.
      const colours = new Set(['#888888', '#1f6fd1', '#bbbbbb', '#1f77b4', '#ff7f0e']);
      const seriesPixels = (canvas) => {
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          const hex = '#' + [0, 1, 2].map((k) => data[i + k].toString(16).padStart(2, '0')).join('');
          if (data[i + 3] === 255 && colours.has(hex)) n++;
        }
        return n;
      };
      return {
        ...window.norgaPage,
        isolated: crossOriginIsolated,
        device: document.getElementById('device').textContent,
        pixels: Object.fromEntries([...document.querySelectorAll('canvas')].map((c) => [c.id, seriesPixels(c)])),
        cells: [...document.querySelectorAll('table.matrix')].map(
          (t) => [...t.tBodies[0].querySelectorAll('td:not(:first-child)')].filter((td) => td.textContent).length,
        ),
      };
    })()`)) as {
      state: string;
      error: string;
      backend: string;
      adapter: string;
      results: Results;
      seconds: number;
      isolated: boolean;
      device: string;
      pixels: Record<string, number>;
      cells: number[];
    };
    await page.screenshot({ path: join(shots, `browser-page-${backend}.png`), fullPage: true });
    await page.close();
    expect(got.error, logs.join('\n')).toBe('');
    expect(got.state).toBe('done');
    expect(got.isolated).toBe(true);
    expect(got.backend).toBe(backend);
    // Both tables filled in (the 3 entries of a 2-task matrix), every chart drew its series.
    expect(got.cells).toEqual([3, 3]);
    for (const id of ['loss', 'forgetting', 'mass', 'gate'])
      expect(got.pixels[id], `${id} chart: pixels of its series`).toBeGreaterThan(20);
    return got;
  }

  it(
    'runs the comparison on the CPU tier, pausing once, and shows the Node numbers exactly',
    async () => {
      const got = await runPage('cpu', true);
      expect(got.device).toMatch(/^CPU/);
      expect(got.results).toEqual(inNode);
    },
    calibratedTimeout(300_000),
  );

  it(
    'runs the comparison on WebGPU (SwiftShader here): accuracies within 0.5 points of the CPU',
    async () => {
      const got = await runPage('webgpu');
      console.log(`[norga] page on WebGPU: ${got.adapter}, ${got.seconds.toFixed(1)} s`);
      expect(got.device).toBe(`WebGPU: ${got.adapter}`);
      expect(Object.keys(got.results).sort()).toEqual(Object.keys(inNode).sort());
      for (const [method, want] of Object.entries(inNode)) {
        const run = got.results[method];
        const far = want.acc.flatMap((row, i) =>
          row.flatMap((w, t) => {
            const g = run?.acc[i]?.[t] ?? Number.NaN;
            // Entries of tasks not yet seen are NaN on both sides.
            const bad = Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= 0.005);
            return bad ? [`acc[${i}][${t}]: ${g} vs ${w} on the CPU`] : [];
          }),
        );
        expect(far, method).toEqual([]);
        for (const [name, w] of Object.entries(want.gate))
          expect(Math.abs((run?.gate[name] ?? Number.NaN) - w), `${method} ${name}`).toBeLessThan(1e-4);
      }
    },
    calibratedTimeout(300_000),
  );
});
