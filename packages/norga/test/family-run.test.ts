/**
 * DualPrompt and CODA-Prompt through `norga run` and through the library, two tasks on a few images: the CLI
 * writes both methods' results (DualPrompt with its oracle metrics and its own key-matching TII, CODA-Prompt with
 * them "not applicable"), the trainable-parameter count and wall time; a library run killed right after a method's
 * first checkpoint resumes to exactly the uninterrupted run's numbers.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibratedTimeout } from '../../../scripts/test-timeout.mjs';
import { runCommand } from '../src/run-command.js';
import { grayBackbone } from './helpers/gray-backbone.js';
import { expectKilledRunsResume } from './helpers/kill-resume.js';

const sink = Object.assign({ write: () => true }, { isTTY: false }) as unknown as NodeJS.WritableStream;

describe('the prompt family through norga run', () => {
  it(
    '--methods dualprompt,coda-prompt: results with trainable parameters, wall time, and oracle metrics where they apply',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'norga-family-'));
      const gray = join(root, 'gray.safetensors');
      await grayBackbone(gray);
      const out = join(root, 'run');
      const argv = [
        '--backbone', gray, '--out', out, '--seeds', '1', '--methods', 'dualprompt,coda-prompt', '--tasks', '2',
        '--train-per-class', '4', '--test-per-class', '3', '--epochs', '1', '--batch-size', '8', '--quiet',
      ]; // biome-ignore format: flag, value pairs
      const lines: string[] = [];
      expect(await runCommand(argv, { out: (s) => void lines.push(s), err: sink })).toBe(0);
      const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      const run = (m: string) => json.runs.find((r: { method: string }) => r.method === m);
      const dual = run('dualprompt');
      const coda = run('coda-prompt');
      // the gray backbone: D = 16, 10 classes, 2 tasks. DualPrompt: G (1 block × 2 × 5 × 16) + per task E
      // (1 block × 2 × 5 × 16) and its key (16) + head (16·10 + 10) = 160 + 2·176 + 170.
      expect(dual.trainableParameters).toBe(160 + 2 * 176 + 170);
      // CODA-Prompt on the run's one prompted block (round(2 · 5/12) of the gray backbone's 2): per task
      // 10 components × (K 16 + A 16 + P 8·16) + head 170.
      expect(coda.trainableParameters).toBe(2 * (10 * (16 + 16 + 128)) + 170);
      for (const r of [dual, coda]) {
        expect(r.wallSeconds).toBeGreaterThan(0);
        expect(r.metrics.faa).toBeGreaterThanOrEqual(0);
        expect(r.acc).toHaveLength(2);
      }
      // DualPrompt has a prompt per task: oracle and task-IL apply, and its TII is its key matching (a fraction)
      expect(typeof dual.metrics.oracleFaa).toBe('number');
      expect(typeof dual.metrics.taskIlFaa).toBe('number');
      expect(dual.tii.every((x: number) => x >= 0 && x <= 1)).toBe(true);
      // CODA-Prompt has none: not applicable (NaN, written as null), no TII
      expect(coda.metrics.oracleFaa).toBeNull();
      expect(coda.metrics.taskIlFaa).toBeNull();
      expect(coda.tii).toEqual([null, null]);
      const md = readFileSync(join(out, 'results.md'), 'utf8');
      expect(md).toContain('trainable params');
      expect(md).toMatch(
        /\| coda-prompt \| 1 \| [\d.]+ \| [\d.]+ \| [-\d.]+ \| — \| — \| — \| \d+ \| 3,370 \|/,
      );
      expect(md).toMatch(/\| dualprompt \| 1 \| .* \| 682 \|/);
      // a finished run resumes to nothing left to do
      expect(await runCommand([...argv, '--resume'], { out: () => {}, err: sink })).toBe(0);
    },
    calibratedTimeout(600_000),
  ); // a hang detector scaled to the machine's load, not a speed check

  it(
    'a library run killed after the first checkpoint resumes to the uninterrupted numbers, for both methods',
    () =>
      expectKilledRunsResume(['dualprompt', 'coda-prompt'], (r) => ({
        acc: r.acc,
        metrics: r.metrics,
        tii: r.tii,
        params: r.trainableParameters,
      })),
    calibratedTimeout(600_000),
  ); // a hang detector scaled to the machine's load, not a speed check
});
