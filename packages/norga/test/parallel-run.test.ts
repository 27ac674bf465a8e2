/**
 * A parallel run (`--jobs N`, run-units.ts): child processes compute the (TII stage, method × seed) units while
 * the parent hands them out. Its results must be bit-identical to one process's, a kill of the parent must take
 * the children with it, and the resume of a killed parallel run must finish with the same numbers.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveJobs } from '../src/run-command.js';
import { nextUnit } from '../src/run-units.js';
import type { RunUnit } from '../src/runner.js';
import { grayBackbone } from './helpers/gray-backbone.js';
import { bin, startRun as start } from './helpers/norga-run.js';

describe('nextUnit: which unit a free process takes', () => {
  const tii = (seed: number): RunUnit => ({ kind: 'tii', seed });
  const pt = (seed: number): RunUnit => ({ kind: 'method', seed, method: 'prefix-tuning' });
  it('a TII stage first, then a method whose seed has its stage; nothing when every method waits', () => {
    expect(nextUnit([pt(1), tii(2), pt(2)], new Set([1]), true)).toEqual(tii(2));
    expect(nextUnit([pt(2), pt(1)], new Set([1]), true)).toEqual(pt(1));
    expect(nextUnit([pt(2)], new Set([1]), true)).toBeUndefined();
    expect(nextUnit([pt(2)], new Set(), false)).toEqual(pt(2));
    expect(nextUnit([], new Set([1]), true)).toBeUndefined();
  });
});

describe('resolveJobs', () => {
  it('--jobs wins, then NORGA_JOBS, then one per core on the CPU and 1 on WebGPU', () => {
    expect(resolveJobs(3, 'cpu', '1')).toBe(3);
    expect(resolveJobs(0, 'cpu', '2')).toBe(2);
    expect(resolveJobs(0, 'webgpu', undefined)).toBe(1);
    expect(resolveJobs(0, 'cpu', undefined)).toBeGreaterThanOrEqual(1);
    expect(() => resolveJobs(0, 'cpu', 'many')).toThrow(/NORGA_JOBS=many: expected a positive integer/);
  });
});

/** The numbers of a finished run: every field of every method run but its wall time. */
function numbers(dir: string): unknown[] {
  const { runs } = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  return runs.map(({ wallSeconds: _, ...rest }: Record<string, unknown>) => rest);
}

/** Processes still computing units for parent `pid` (Linux: their environment names it). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(`NORGA_RUN_PARENT=${pid}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('norga run --jobs 2', () => {
  it('gives the numbers of one process, bit for bit; SIGTERM stops the parent and its children (143), and the resume finishes with the same numbers', async () => {
    expect(existsSync(bin), `${bin} (run the build first)`).toBe(true);
    const root = mkdtempSync(join(tmpdir(), 'norga-jobs-'));
    const gray = join(root, 'gray.safetensors');
    await grayBackbone(gray);
    const args = (out: string, epochs: number) => [
      '--backbone', gray, '--out', out, '--seeds', '2', '--methods', 'prefix-tuning,norga-tanh', '--tasks', '2',
      '--train-per-class', '4', '--test-per-class', '2', '--epochs', String(epochs), '--batch-size', '8',
      '--tii-epochs', '1', '--ca-epochs', '1', '--ca-samples-per-class', '4', '--tii-ca-samples-per-class', '4',
    ]; // biome-ignore format: flag, value pairs
    const serial = start([...args(join(root, 'serial'), 2), '--jobs', '1', '--quiet']);
    expect(await serial.exit, serial.err()).toBe(0);
    const parallel = start([...args(join(root, 'parallel'), 2), '--jobs', '2', '--quiet']);
    expect(await parallel.exit, parallel.err()).toBe(0);
    expect(numbers(join(root, 'parallel'))).toEqual(numbers(join(root, 'serial')));

    // A unit that fails in a child: its one line, prefixed with the unit, and its exit status (1).
    const p = join(root, 'parallel');
    for (const m of ['prefix-tuning', 'norga-tanh']) rmSync(join(p, m, 'seed-2', 'result.json'));
    const ckpt = join(p, 'prefix-tuning', 'seed-2', 'checkpoint.json');
    writeFileSync(ckpt, readFileSync(ckpt, 'utf8').replace('"tasksDone": 2', '"tasksDone": 1'));
    const broken = start([...args(p, 2), '--jobs', '2', '--resume', '--quiet']);
    expect(await broken.exit, broken.err()).toBe(1);
    expect(broken.err()).toMatch(
      /norga: computing prefix-tuning seed 2: .*checkpoint\.json: checksum mismatch/,
    );

    // Many epochs, so the signal lands while both children work.
    const long = (out: string) => [...args(out, 30), '--jobs', '2'];
    const out = join(root, 'killed');
    const run = start(long(out));
    const pid = run.child.pid as number;
    while (childrenOf(pid).length < 2 || !existsSync(join(out, 'tii', 'seed-1.json'))) {
      if (run.child.exitCode !== null) throw new Error(`exited with ${run.child.exitCode}: ${run.err()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(143);
    expect(run.err()).toMatch(/interrupted \(SIGTERM\); continue with: norga run .* --resume/);
    for (let k = 0; k < 500 && childrenOf(pid).length > 0; k++) await new Promise((r) => setTimeout(r, 20));
    expect(childrenOf(pid)).toEqual([]);
    const resumed = start([...long(out), '--resume', '--quiet']);
    expect(await resumed.exit, resumed.err()).toBe(0);
    const serialLong = start([...long(join(root, 'serial-long')).slice(0, -2), '--jobs', '1', '--quiet']);
    expect(await serialLong.exit, serialLong.err()).toBe(0);
    expect(numbers(out)).toEqual(numbers(join(root, 'serial-long')));
  });
});
