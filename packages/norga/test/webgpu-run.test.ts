/**
 * `norga run --backend webgpu` against `--backend cpu` for every method of the family and the HiDe-Prompt pair: the
 * same two-task run on the two backends must end in the same accuracy matrices and the same learned state, tensor
 * by tensor (prompts, keys, heads, Gaussians, VPT-NSP's null-space projections, the TII network), within float32's
 * summation-order noise. Without a WebGPU adapter the suite is skipped with a printed reason, unless
 * REQUIRE_WEBGPU=1 (CI), where that is a failure.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeBackend, initBackend } from '@norga/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { calibratedTimeout } from '../../../scripts/test-timeout.mjs';
import { runCommand } from '../src/run-command.js';
import { base64ToBytes } from '../src/state.js';
import { grayBackbone } from './helpers/gray-backbone.js';

const METHODS = ['l2p', 'dualprompt', 'coda-prompt', 'vpt-nsp', 'prefix-tuning', 'norga-tanh'];

const webgpuProblem = await initBackend('webgpu').then(
  () => null,
  (e: Error) => e.message,
);
if (webgpuProblem !== null) {
  if (process.env.REQUIRE_WEBGPU === '1')
    throw new Error(`REQUIRE_WEBGPU=1 but WebGPU is unavailable: ${webgpuProblem}`);
  console.warn(`[norga] skipping the WebGPU run: ${webgpuProblem}`);
} else afterAll(() => disposeBackend('webgpu')); // one device for the file: it busy-waits a core while it lives

const sink = Object.assign({ write: () => true }, { isTTY: false }) as unknown as NodeJS.WritableStream;

/** One difference between the two states: where, how far apart, and the size of what was compared. */
interface Gap {
  readonly path: string;
  readonly diff: number;
  readonly scale: number;
}

/**
 * Walks two checkpoint states side by side: tensors ({shape, dtype, base64}) and bare base64 strings (float64
 * statistics) are decoded and compared element-wise, as are number arrays and numbers; everything else must be
 * equal. Returns each numeric array's largest difference with the array's largest magnitude.
 */
function stateGaps(a: unknown, b: unknown, path = ''): Gap[] {
  if (Array.isArray(a)) {
    expect(b, path).toBeInstanceOf(Array);
    // a plain number array (a Gaussian's mean or covariance) is one array, measured against its largest entry
    if (a.length > 0 && a.every((x) => typeof x === 'number')) return [arrayGap(path, a, b as number[])];
    expect((b as unknown[]).length, path).toBe(a.length);
    return a.flatMap((x, i) => stateGaps(x, (b as unknown[])[i], `${path}[${i}]`));
  }
  if (a !== null && typeof a === 'object') {
    const o = a as Record<string, unknown>;
    const p = b as Record<string, unknown>;
    if (typeof o.base64 === 'string' && typeof o.dtype === 'string') {
      expect(p.shape, path).toEqual(o.shape);
      expect(o.dtype, path).toBe('float32');
      return [arrayGap(path, floats(o.base64, 4), floats(p.base64 as string, 4))];
    }
    expect(Object.keys(p).sort(), path).toEqual(Object.keys(o).sort());
    return Object.keys(o)
      .filter((k) => k !== 'checksum' && k !== 'wallSeconds')
      .flatMap((k) => stateGaps(o[k], p[k], `${path}.${k}`));
  }
  if (typeof a === 'string' && /^[A-Za-z0-9+/]{16,}={0,2}$/.test(a))
    return [arrayGap(path, floats(a, 8), floats(b as string, 8))];
  if (typeof a === 'number' && typeof b === 'number') return [arrayGap(path, [a], [b])];
  expect(b, path).toEqual(a);
  return [];
}

function floats(text: string, bytesPer: 4 | 8): Float32Array | Float64Array {
  const bytes = base64ToBytes(text);
  return bytesPer === 4
    ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
    : new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

function arrayGap(path: string, x: ArrayLike<number>, y: ArrayLike<number>): Gap {
  expect(y.length, path).toBe(x.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(x[i]!));
  }
  return { path, diff, scale };
}

describe.skipIf(webgpuProblem !== null)('norga run on WebGPU', () => {
  it(
    'every method ends with the CPU run’s accuracies and learned state',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'norga-webgpu-run-'));
      const gray = join(root, 'gray.safetensors');
      await grayBackbone(gray);
      const run = async (backend: string) => {
        const out = join(root, backend);
        const argv = [
          '--backbone', gray, '--out', out, '--seeds', '1', '--methods', METHODS.join(','), '--tasks', '2',
          '--train-per-class', '8', '--test-per-class', '5', '--epochs', '1', '--batch-size', '8',
          '--tii-epochs', '1', '--ca-epochs', '1', '--backend', backend, '--quiet',
        ]; // biome-ignore format: flag, value pairs
        expect(await runCommand(argv, { out: () => {}, err: sink })).toBe(0);
        return out;
      };
      const cpu = await run('cpu');
      const gpu = await run('webgpu');
      const read = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const cpuResults = read(cpu, 'results.json');
      const gpuResults = read(gpu, 'results.json');
      expect(gpuResults.config.backend).toBe('webgpu');
      expect(gpuResults.runs.map((r: { method: string }) => r.method)).toEqual(METHODS);
      for (const [i, r] of cpuResults.runs.entries()) {
        expect(gpuResults.runs[i].acc, r.method).toEqual(r.acc);
        expect(gpuResults.runs[i].tii, r.method).toEqual(r.tii);
      }
      const files = [...METHODS.map((m) => `${m}/seed-1/checkpoint.json`), 'tii/seed-1.json'];
      for (const file of files) {
        const gaps = stateGaps(read(cpu, file), read(gpu, file), file);
        expect(gaps.length, file).toBeGreaterThan(0);
        for (const g of gaps) {
          // float32 sums in another order, through a few optimiser steps: ~1e-6 of the array's scale is what a
          // correct kernel gives (measured: at most 2.4e-6); a wrong one is off by the scale itself
          expect(g.diff, `${g.path}: ${g.diff} of ${g.scale}`).toBeLessThanOrEqual(1e-4 * g.scale + 1e-9);
        }
      }
    },
    calibratedTimeout(600_000),
  ); // a hang detector scaled to the machine's load, not a speed check
});
