/**
 * Helpers of the WebGPU-only tests: the shared backend instance (test/helpers/backends.ts opens it once per
 * run) and a CPU-oracle comparison.
 */
import { expect } from 'vitest';
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import * as T from '../../src/index.js';
import { HAS_WEBGPU, WEBGPU_PROBLEM } from '../helpers/backends.js';

export { HAS_WEBGPU, WEBGPU_PROBLEM };

export function gpu(): WebGPUBackend {
  return T.getBackend('webgpu') as unknown as WebGPUBackend;
}

/** Deterministic values in [lo, hi) (an LCG: the tests must not depend on the engine's generator). */
export function values(n: number, seed = 1, lo = -1, hi = 1): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(lo + ((s >>> 8) / 16777216) * (hi - lo));
  });
}

/** Builds the same computation on cpu and webgpu and checks webgpu against the cpu result. */
export async function expectSameAsCpu(
  build: (backend: string) => T.Tensor,
  what: string,
  atol = 1e-5,
  rtol = 1e-4,
): Promise<void> {
  const cpu = T.tidy(() => build('cpu'));
  const gpuT = T.tidy(() => build('webgpu'));
  try {
    expect(gpuT.shape, what).toEqual(cpu.shape);
    expect(gpuT.dtype, what).toBe(cpu.dtype);
    const want = Array.from(await cpu.data());
    const got = Array.from(await gpuT.data());
    const bad: string[] = [];
    for (let i = 0; i < want.length && bad.length < 5; i++) {
      const w = want[i]!;
      const g = got[i]!;
      const ok = Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= atol + rtol * Math.abs(w);
      if (!ok) bad.push(`[${i}] got ${g}, expected ${w}`);
    }
    expect(bad, what).toEqual([]);
  } finally {
    cpu.dispose();
    gpuT.dispose();
  }
}
