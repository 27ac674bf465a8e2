/**
 * Expression constants (scalar operands, fills, constants inside fused expressions) reach the shader as
 * parameter words: values are exact, including NaN, ±Infinity, -0 and the int32 extremes, and a new value
 * reuses the pipeline of the same expression structure instead of compiling another.
 */
import { describe, expect, it } from 'vitest';
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
});
