/**
 * Expression constants (scalar operands, fills, constants inside fused expressions) reach the shader as
 * parameter words: values are exact, including NaN, ±Infinity, -0 and the int32 extremes, and a new value
 * reuses the pipeline of the same expression structure instead of compiling another. Small host writes wait
 * for the first kernel that binds them; a one-element one used by an elementwise op is inlined as a constant
 * and never uploaded; a deferred write into a buffer the open batch still reads submits that batch first.
 */
import { describe, expect, it, vi } from 'vitest';
import * as T from '../../src/index.js';
import { expectSameAsCpu, gpu, HAS_WEBGPU, values } from './gpu.js';

const vec = (b: string, n: number, seed: number) => T.tensor(values(n, seed, -3, 3), { backend: b });

describe.runIf(HAS_WEBGPU)('webgpu expression constants', () => {
  it.each([0.1, -0.75, 1e-30, 3.4e38, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0])(
    'x * c + c / x with c = %s is what the CPU computes (infinities and NaN included)',
    async (c) => {
      const build = (b: string) => T.tidy(() => T.add(T.mul(vec(b, 37, 1), c), T.div(c, vec(b, 37, 2))));
      const want = build('cpu');
      const got = build('webgpu');
      const [w, g] = [Array.from(await want.data()), Array.from(await got.data())];
      want.dispose();
      got.dispose();
      const bad = w.flatMap((wi, i) => {
        const gi = g[i]!;
        const ok = Number.isFinite(wi) ? Math.abs(gi - wi) <= 1e-5 + 1e-5 * Math.abs(wi) : Object.is(gi, wi);
        return ok ? [] : [`[${i}] got ${gi}, expected ${wi}`];
      });
      expect(bad).toEqual([]);
    },
  );

  it('int32 and bool constants, including the int32 extremes', async () => {
    for (const c of [-2147483648, 2147483647, -7, 0]) {
      await expectSameAsCpu((b) => T.add(T.cast(T.mul(vec(b, 20, 3), 10), 'int32'), c), `int32 + ${c}`, 0, 0);
    }
    await expectSameAsCpu(
      (b) => T.logicalAnd(T.gt(vec(b, 20, 4), 0), T.full([20], 1, { dtype: 'bool', backend: b })),
      'bool and a true fill',
      0,
      0,
    );
  });

  it('a fill of any value, and a scalar operand of any value, reuse one pipeline each', async () => {
    const x = vec('webgpu', 64, 5);
    const warm = T.tidy(() => [T.mul(x, 0.5), T.full([3], 2, { backend: 'webgpu' })]);
    for (const t of warm) await t.data();
    const before = gpu().recorder.pipelineCount;
    const outs = T.tidy(() =>
      [0.25, 0.125, 7, -3.5, Number.NaN].flatMap((c) => [T.mul(x, c), T.full([3], c, { backend: 'webgpu' })]),
    );
    const got = await Promise.all(outs.map((t) => t.data()));
    expect(gpu().recorder.pipelineCount).toBe(before);
    expect(Array.from(got[3]!)).toEqual([0.125, 0.125, 0.125]);
    expect(Number.isNaN(got[9]![0]!)).toBe(true);
    for (const t of [...warm, ...outs, x]) t.dispose();
  });

  it('a scalar operand is inlined: no upload, no binding', async () => {
    const x = vec('webgpu', 40, 6);
    await x.data();
    const upload = vi.spyOn(gpu().recorder, 'upload');
    try {
      const c = T.tensor(2.5, { backend: 'webgpu' });
      const y = T.tidy(() => T.sub(T.mul(x, c), 1));
      const got = Array.from(await y.data());
      const want = Array.from(await x.data()).map((v) => Math.fround(Math.fround(v * 2.5) - 1));
      expect(got).toEqual(want);
      expect(upload).not.toHaveBeenCalled();
      for (const t of [c, y]) t.dispose();
    } finally {
      upload.mockRestore();
      x.dispose();
    }
  });

  it('small host-written tensors reach every kernel that binds them, and reads', async () => {
    await expectSameAsCpu(
      (b) =>
        T.add(
          T.matmul(
            T.tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3], backend: b }),
            T.tensor([[1], [0], [-1]], { backend: b }),
          ),
          T.sum(T.tensor([0.5, 0.25], { backend: b })),
        ),
      'matmul and sum of small host tensors',
    );
    await expectSameAsCpu(
      (b) =>
        T.gather(
          T.tensor([10, 20, 30, 40], { backend: b }),
          0,
          T.tensor([3, 0, 2], { dtype: 'int32', backend: b }),
        ),
      'gather with host indices',
    );
    const t = T.tensor([1, -2, 3], { backend: 'webgpu' });
    expect(Array.from(await t.data())).toEqual([1, -2, 3]);
    t.dispose();
  });

  it('a deferred write into a buffer the open batch still reads submits that batch first', async () => {
    const first = values(8, 7);
    const second = values(8, 8);
    const t = T.tensor(first, { backend: 'webgpu' });
    const u = T.mul(t, 2); // binds t (its deferred data is uploaded) and is recorded, not submitted
    // The front-end never rewrites a live tensor; the backend API allows it, so the order must hold.
    gpu().write(t.storage.handle, new Float32Array(second));
    const w = T.mul(t, 3);
    expect(Array.from(await u.data())).toEqual(first.map((v) => Math.fround(v * 2)));
    expect(Array.from(await w.data())).toEqual(second.map((v) => Math.fround(v * 3)));
    for (const z of [t, u, w]) z.dispose();
  });
});
