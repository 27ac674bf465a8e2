/**
 * Finite-difference gradient checks in float64 on the CPU: the analytic gradient of L = Σ f(x)·w (w fixed
 * random weights, so every output element matters) against central differences (L(x+h) - L(x-h)) / 2h.
 */
import { mul, sum, type Tensor, tensor, tidy } from '@norga/tensor';
import { expect } from 'vitest';
import { grad, noGrad } from '../../src/index.js';

/** A small deterministic generator (mulberry32), so checks do not depend on the library's own RNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A float64 tensor of uniform values in [lo, hi). */
export function rand64(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  const r = rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * r();
  return tensor(data, { shape, dtype: 'float64' });
}

export interface CheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  seed?: number;
}

/** Checks f's gradient with respect to every input (float64 tensors) by central differences. */
export function gradcheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: CheckOptions = {},
): void {
  const { eps = 1e-6, atol = 1e-7, rtol = 1e-5, seed = 7 } = options;
  const probe = noGrad(() => f(...inputs));
  const w = rand64(probe.shape, seed, 0.5, 1.5);
  probe.dispose();
  const loss = (...xs: Tensor[]) => {
    const y = f(...xs);
    const yw = mul(y, w);
    const l = sum(yw);
    y.dispose();
    yw.dispose();
    return l;
  };
  const analytic = grad(loss)(...inputs);
  inputs.forEach((x, k) => {
    const base = x.dataSyncCpu() as Float64Array;
    const got = analytic[k]!.dataSyncCpu();
    const numeric = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number) =>
        noGrad(() =>
          tidy(() => {
            const data = Float64Array.from(base);
            data[i] = data[i]! + delta;
            const xs = inputs.map((t, j) =>
              j === k ? tensor(data, { shape: x.shape, dtype: 'float64' }) : t,
            );
            return loss(...xs).itemSyncCpu();
          }),
        );
      numeric[i] = (at(eps) - at(-eps)) / (2 * eps);
    }
    for (let i = 0; i < base.length; i++) {
      const tol = atol + rtol * Math.abs(numeric[i]!);
      if (!(Math.abs(got[i]! - numeric[i]!) <= tol)) {
        expect.fail(
          `input ${k} element ${i}: analytic ${got[i]} vs numeric ${numeric[i]} (shape [${x.shape}])`,
        );
      }
    }
    expect(analytic[k]!.shape).toEqual(x.shape);
  });
  w.dispose();
  for (const g of analytic) g.dispose();
}
