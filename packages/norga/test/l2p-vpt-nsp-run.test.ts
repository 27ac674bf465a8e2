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
import { runCommand } from '../src/run-command.js';
import { grayBackbone } from './helpers/gray-backbone.js';
import { expectKilledRunsResume } from './helpers/kill-resume.js';

const sink = Object.assign({ write: () => true }, { isTTY: false }) as unknown as NodeJS.WritableStream;

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
      // The gray backbone: D = 16, 2 blocks, 10 classes. L2P, 2 tasks: pool 2 × (5 tokens + 1 key) × 16 + head
      // 16·10 + 10.
      expect(l2p.trainableParameters).toBe(2 * 6 * 16 + 170);
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
      expect(md).toMatch(/\| l2p \| 1 \| [\d.]+ \| [\d.]+ \| [-\d.]+ \| — \| — \| — \| \d+ \| 362 \|/);
      expect(md).toMatch(/\| vpt-nsp \| 1 \| [\d.]+ \| [\d.]+ \| [-\d.]+ \| — \| — \| — \| \d+ \| 298 \|/);
      expect(await runCommand([...argv, '--resume'], { out: () => {}, err: sink })).toBe(0);
    },
    calibratedTimeout(600_000),
  ); // a hang detector scaled to the machine's load, not a speed check

  it(
    'a library run killed after the first checkpoint resumes to the uninterrupted numbers, for both methods',
    () =>
      expectKilledRunsResume(['l2p', 'vpt-nsp'], (r) => ({
        acc: r.acc,
        metrics: r.metrics,
        params: r.trainableParameters,
      })),
    calibratedTimeout(600_000),
  ); // a hang detector scaled to the machine's load, not a speed check
});
