/**
 * What WebGPU keeps of batch invariance (the CPU keeps bits: test/wasm/size-invariance.test.ts). A row computed
 * alone and inside a batch of 128: elementwise kernels compute each element by the same shader code whatever
 * the size, so they give the same bits; reductions pick their kernel (serial or workgroup tree) by the number
 * of outputs, and matmul by the output's size on a real GPU, which changes summation order, so softmax,
 * layerNorm, sums and products agree within float32 rounding: here within 1e-6 + 1e-4 relative (measured on
 * lavapipe: row sums 4e-5 relative at most, layerNorm 4e-5, softmax 3e-7).
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { HAS_WEBGPU } from './gpu.js';

const ROWS = 128;
const COLS = 96;
const values = (n: number, seed: number, scale: number) =>
  Float32Array.from(
    { length: n },
    (_, i) => Math.sin(i * 0.7123 + seed) * scale * Math.cos(i * 0.0131 + seed),
  );

describe.runIf(HAS_WEBGPU)('webgpu: a row alone and inside a batch', () => {
  const cases: [string, boolean, (x: T.Tensor, p: T.Tensor[]) => T.Tensor][] = [
    ['exp', true, (x) => T.exp(x)],
    ['tanh', true, (x) => T.tanh(x)],
    ['sigmoid', true, (x) => T.sigmoid(x)],
    ['gelu', true, (x) => T.gelu(x)],
    ['softmax', false, (x) => T.softmax(x, -1)],
    ['row sum', false, (x) => T.sum(x, -1, true)],
    ['layerNorm', false, (x, [g, b]) => T.layerNorm(x, [COLS], g, b)],
    ['x @ W', false, (x, [, , w]) => T.matmul(x, w!)],
  ];
  // one test per op: each compiles a few pipelines only, so no single test carries many compilations
  for (const [name, exact, f] of cases) {
    it(`${name}: ${exact ? 'the same bits' : 'within float32 rounding'}`, async () => {
      const params = [
        T.tensor(values(COLS, 3, 1), { backend: 'webgpu' }),
        T.tensor(values(COLS, 4, 1), { backend: 'webgpu' }),
        T.tensor(values(COLS * 40, 2, 0.3), { shape: [COLS, 40], backend: 'webgpu' }),
      ];
      const batch = values(ROWS * COLS, 1, 6);
      const full = T.tidy(() => f(T.tensor(batch, { shape: [ROWS, COLS], backend: 'webgpu' }), params));
      const all = (await full.data()) as Float32Array;
      full.dispose();
      const per = all.length / ROWS;
      let differ = 0;
      let bad = 0;
      for (const r of [0, 1, 7, 64, ROWS - 1]) {
        const one = T.tidy(() =>
          f(
            T.tensor(batch.subarray(r * COLS, (r + 1) * COLS), { shape: [1, COLS], backend: 'webgpu' }),
            params,
          ),
        );
        const got = (await one.data()) as Float32Array;
        one.dispose();
        for (let i = 0; i < per; i++) {
          const a = got[i] as number;
          const w = all[r * per + i] as number;
          if (!Object.is(a, w)) differ++;
          if (!(Math.abs(a - w) <= 1e-6 + 1e-4 * Math.abs(w))) bad++;
        }
      }
      for (const t of params) t.dispose();
      expect({ beyondRounding: bad, differ: exact ? differ : 0 }).toEqual({ beyondRounding: 0, differ: 0 });
    });
  }
});
