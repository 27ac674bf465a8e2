/**
 * The page's training worker (examples/browser/worker.js over continual.js): in Node, continual.js gives the
 * accuracy matrices `norga run` (runBenchmark) gives for the same configuration and seed; bundled by esbuild and
 * started as a module worker in headless Chromium, it gives the same matrices again on the CPU tier, and within
 * 0.5 points per entry on WebGPU (SwiftShader here), posting its steps on the way. Without chromium the tab half is skipped with a printed reason, and fails instead when
 * REQUIRE_WEBGPU=1 (CI).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibratedTimeout } from '../../scripts/test-timeout.mjs';
// @ts-expect-error: plain JS shared with the page (no declaration file)
import { writePageData } from '../browser/build-data.mjs';
// @ts-expect-error: plain JS shared with the page (no declaration file)
import { runComparison } from '../browser/continual.js';
import { chromiumProblem, startTab, type Tab } from './browser-tab.js';

const examples = join(import.meta.dirname, '..');
const SEED = 1;
type Results = Record<string, { acc: number[][]; gate: Record<string, number>; tii: number[] }>;

/** A small run of both methods: 2 tasks of 5 digits, 6 training and 4 test images per class. */
async function tinyConfig(): Promise<RunConfig> {
  const { info } = await loadBackbone(shippedBackbone('fashion-mnist').path, 'tiny');
  return {
    benchmark: 'split-mnist',
    tasks: 2,
    methods: ['prefix-tuning', 'norga-tanh'],
    seeds: [SEED],
    classOrder: 'seeded',
    trainPerClass: 6,
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
const steps: unknown[] = [];

beforeAll(async () => {
  cfg = await tinyConfig();
  const { backbone } = await loadBackbone(shippedBackbone('fashion-mnist').path, 'tiny');
  const data = loadBenchmark({ spec: BENCHMARK_SPECS['split-mnist'], ...cfg, seed: SEED });
  inNode = await runComparison(N, { backbone, data, cfg, seed: SEED, post: (m: unknown) => steps.push(m) });
  backbone.dispose();
});

describe('the page worker in Node', () => {
  it('gives the accuracy matrices of norga run (runBenchmark) for the same configuration', async () => {
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
      }
      expect(Object.keys(inNode).sort()).toEqual(summary.runs.map((r) => r.method).sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    // Progress was posted for every phase. (Accuracies of so small a run say nothing: only equality is checked.)
    expect(new Set(steps.map((m) => (m as { type: string }).type))).toEqual(
      new Set(['step', 'tii', 'accuracy', 'gate']),
    );
  });
});

const problem = chromiumProblem('the browser worker test in Chromium');

describe.runIf(problem === null)('the page worker in headless Chromium', () => {
  let out = '';
  let tab: Tab;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'norga-page-worker-'));
    const dataDir = writePageData(out);
    const bundle = await build({
      entryPoints: [join(examples, 'browser', 'worker.js')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const worker = bundle.outputFiles[0]!.text;
    const page = '<!doctype html><meta charset="utf-8"><title>worker</title>';
    tab = await startTab((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/worker.js') {
        res.setHeader('content-type', 'text/javascript');
        res.end(worker);
      } else if (path.startsWith('/data/') && /^[\w.-]+$/.test(path.slice(6))) {
        const file = join(dataDir, path.slice(6));
        res.statusCode = existsSync(file) ? 200 : 404;
        res.end(existsSync(file) ? readFileSync(file) : '');
      } else {
        res.setHeader('content-type', 'text/html');
        res.end(page);
      }
    });
  });

  afterAll(async () => {
    await tab?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  /** Runs the worker in a fresh tab on `backend`; what it posted, counted by type, and its results. */
  async function runInTab(backend: 'cpu' | 'webgpu') {
    const { page, logs } = await tab.open();
    const run = `new Promise((resolve) => {
      const w = new Worker('/worker.js', { type: 'module' });
      const types = {};
      let ready;
      w.onerror = (e) => resolve({ error: 'worker error: ' + e.message });
      w.onmessage = ({ data }) => {
        types[data.type] = (types[data.type] ?? 0) + 1;
        if (data.type === 'ready') ready = data;
        if (data.type === 'done')
          resolve({ results: data.results, seconds: data.seconds, types, ready, isolated: crossOriginIsolated });
        if (data.type === 'error') resolve({ error: data.message });
      };
      w.postMessage({ type: 'start', dataUrl: '/data/', cfg: ${JSON.stringify(cfg)}, seed: ${SEED}, backend: '${backend}' });
    })`;
    const got = (await page.evaluate(run)) as {
      error?: string;
      results?: Results;
      seconds?: number;
      types?: Record<string, number>;
      ready?: { backend: string; adapter: string };
      isolated?: boolean;
    };
    await page.close();
    expect(got.error, logs.join('\n')).toBeUndefined();
    expect(got.isolated).toBe(true);
    expect(Object.keys(got.types ?? {}).sort()).toEqual(['accuracy', 'done', 'gate', 'ready', 'step', 'tii']);
    return got;
  }

  it(
    'runs the comparison on the CPU and gives the Node accuracy matrices exactly',
    async () => {
      const got = await runInTab('cpu');
      expect(got.results).toEqual(inNode);
    },
    calibratedTimeout(300_000),
  );

  it(
    'runs the comparison on WebGPU (SwiftShader here): accuracies within 0.5 points of the CPU',
    async () => {
      const got = await runInTab('webgpu');
      console.log(`[norga] page worker on WebGPU: ${got.ready?.adapter}, ${got.seconds?.toFixed(1)} s`);
      expect(got.ready?.backend).toBe('webgpu');
      expect(Object.keys(got.results ?? {}).sort()).toEqual(Object.keys(inNode).sort());
      for (const [method, want] of Object.entries(inNode)) {
        const run = got.results?.[method];
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
