/**
 * L2P and VPT-NSP through `norga run` and through the library, two tasks on a few images: the CLI writes both
 * methods' results (no per-task prompt, so the oracle metrics and TII are "not applicable"), their trainable
 * parameter counts and wall times, and leaves no tensor behind; a library run killed right after a method's first
 * checkpoint resumes to exactly the uninterrupted run's numbers (VPT-NSP's null-space statistics travel in the
 * checkpoint).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memory } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { calibratedTimeout } from '../../../scripts/test-timeout.mjs';
import { loadBackbone } from '../src/backbone-file.js';
import type { RunConfig } from '../src/config.js';
import type { MethodRun } from '../src/results.js';
import { runCommand } from '../src/run-command.js';
import { RunDir } from '../src/rundir.js';
import { runBenchmark } from '../src/runner.js';
import { grayBackbone } from './helpers/gray-backbone.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'vit-tiny-fashion-mnist.safetensors');
const sink = Object.assign({ write: () => true }, { isTTY: false }) as unknown as NodeJS.WritableStream;

class Interrupted extends Error {}

describe('L2P and VPT-NSP through norga run', () => {
  it(
    '--methods l2p,vpt-nsp: results with trainable parameters and wall time, oracle metrics not applicable',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'norga-l2p-nsp-'));
      const gray = join(root, 'gray.safetensors');
      await grayBackbone(gray);
      const out = join(root, 'run');
      const argv = [
        '--backbone', gray, '--out', out, '--seeds', '1', '--methods', 'l2p,vpt-nsp', '--tasks', '2',
        '--train-per-class', '4', '--test-per-class', '3', '--epochs', '1', '--batch-size', '8', '--quiet',
      ]; // biome-ignore format: flag, value pairs
      const tensorsBefore = memory().tensors;
      expect(await runCommand(argv, { out: () => {}, err: sink })).toBe(0);
      // every learner's prompts, pool, projections, head and optimiser state freed
      expect(memory().tensors).toBe(tensorsBefore);
      const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      const run = (m: string) => json.runs.find((r: { method: string }) => r.method === m);
      const l2p = run('l2p');
      const nsp = run('vpt-nsp');
      // The gray backbone: D = 16, 2 blocks, 10 classes. L2P: pool 5 × (5 tokens + 1 key) × 16 + head 16·10 + 10.
      expect(l2p.trainableParameters).toBe(5 * 6 * 16 + 170);
      // VPT-NSP: 2 blocks × 4 tokens × 16 + head.
      expect(nsp.trainableParameters).toBe(2 * 4 * 16 + 170);
      for (const r of [l2p, nsp]) {
        expect(r.wallSeconds).toBeGreaterThan(0);
        expect(r.metrics.faa).toBeGreaterThanOrEqual(0);
        expect(r.acc).toHaveLength(2);
        expect(r.metrics.oracleFaa).toBeNull();
        expect(r.metrics.taskIlFaa).toBeNull();
        expect(r.tii).toEqual([null, null]);
      }
      // VPT-NSP's attention mass on its deep prompts, per block; L2P's prompt is in the sequence: no columns.
      expect(nsp.prefixMass[0]).toHaveLength(2);
      expect(l2p.prefixMass[0]).toEqual([]);
      const md = readFileSync(join(out, 'results.md'), 'utf8');
      expect(md).toMatch(/\| l2p \| 1 \| [\d.]+ \| [\d.]+ \| [-\d.]+ \| — \| — \| — \| \d+ \| 650 \|/);
      expect(md).toMatch(/\| vpt-nsp \| 1 \| [\d.]+ \| [\d.]+ \| [-\d.]+ \| — \| — \| — \| \d+ \| 298 \|/);
      expect(await runCommand([...argv, '--resume'], { out: () => {}, err: sink })).toBe(0);
    },
    calibratedTimeout(600_000),
  ); // a hang detector scaled to the machine's load, not a speed check

  it(
    'a library run killed after the first checkpoint resumes to the uninterrupted numbers, for both methods',
    async () => {
      const { backbone, info } = await loadBackbone(FIXTURE, 'tiny');
      const cfg: RunConfig = {
        benchmark: 'split-mnist', tasks: 2, methods: ['l2p', 'vpt-nsp'], seeds: [1],
        classOrder: 'seeded', trainPerClass: 12, testPerClass: 10, epochs: 1, batchSize: 16, lr: 0.05,
        headLrScale: 0.1, clipGrad: 1, promptLength: 5, promptLayers: [0, 1], promptMomentum: 0.1, reg: 0.1,
        gateLearning: 'first-task', tiiEpochs: 1, tiiLr: 0.001, caEpochs: 1, caLr: 0.005, caSamplesPerClass: 8,
        tiiCaLr: 0.01, tiiCaSamplesPerClass: 8, backbone: info, backend: 'cpu',
      }; // biome-ignore format: one line per group of settings
      const root = mkdtempSync(join(tmpdir(), 'norga-l2p-nsp-lib-'));
      const full = await runBenchmark({
        cfg,
        backbone,
        runDir: RunDir.open(join(root, 'full'), { ...cfg }, false),
        command: 'test',
        progressSink: null,
      });
      for (const method of cfg.methods) {
        const dir = join(root, `killed-${method}`);
        await expect(
          runBenchmark({
            cfg,
            backbone,
            runDir: RunDir.open(dir, { ...cfg }, false),
            command: 'test',
            progressSink: null,
            log: (m) => {
              if (m.startsWith(`[${method} seed 1] after task 1/2`)) throw new Interrupted('killed');
            },
          }),
        ).rejects.toBeInstanceOf(Interrupted);
        const logs: string[] = [];
        const resumed = await runBenchmark({
          cfg,
          backbone,
          runDir: RunDir.open(dir, { ...cfg }, true),
          command: 'test',
          progressSink: null,
          log: (m) => logs.push(m),
        });
        expect(logs.some((m) => m.includes(`[${method} seed 1] resuming after task 1 of 2`))).toBe(true);
        const pick = (runs: MethodRun[]) => {
          const r = runs.find((x) => x.method === method) as MethodRun;
          return { acc: r.acc, metrics: r.metrics, params: r.trainableParameters };
        };
        expect(pick(resumed.summary.runs)).toEqual(pick(full.summary.runs));
      }
      backbone.dispose();
    },
    calibratedTimeout(600_000),
  ); // a hang detector scaled to the machine's load, not a speed check
});
