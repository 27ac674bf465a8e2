/**
 * Scalars reach kernels as 0-d tensors written from the host, never as constants baked into a kernel's
 * source: otherwise every distinct value (an lr schedule's every step) compiles and caches a kernel.
 */
import { describe, expect, it } from 'vitest';
import { compiledKernels } from '../../src/backends/cpu/elementwise.js';
import * as T from '../../src/index.js';

describe('CPU kernel cache', () => {
  it('does not grow with the values of scalar operands or small fills', async () => {
    const x = T.tensor([1, 2, 3, 4]);
    const run = (v: number) =>
      T.tidy(() => [T.mul(x, v), T.add(x, v), T.full([3], v), T.full([], v)].map((t) => T.keep(t)));
    for (const t of run(0.5)) t.dispose();
    const before = compiledKernels();
    for (let i = 1; i <= 50; i++) {
      const [m, a, f, s] = run(1 / (i + 1));
      expect(await m!.data()).toEqual(
        new Float32Array([1, 2, 3, 4].map((e) => Math.fround(e * Math.fround(1 / (i + 1))))),
      );
      expect((await f!.data())[2]).toBe(Math.fround(1 / (i + 1)));
      for (const t of [m, a, f, s]) t!.dispose();
    }
    expect(compiledKernels()).toBe(before);
    x.dispose();
  });
});
