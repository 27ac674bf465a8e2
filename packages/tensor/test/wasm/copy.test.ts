/**
 * Short-row copies in WebAssembly (copy.ts): a permute made contiguous must equal the JS tier's copy bit for
 * bit, for rows of any length (vectors plus a scalar tail) and any number of outer dims.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { detectFeatures } from '../../src/backends/wasm/features.js';
import { WasmTier } from '../../src/backends/wasm/tier.js';
import * as T from '../../src/index.js';
import { onBothTiers } from './tiers.js';

const tier = new WasmTier(detectFeatures(), { threads: 1 });
afterAll(() => tier.dispose());

function heapArray(n: number, fill: (i: number) => number): Float32Array {
  const h = tier.runtime.heap?.allocF32(n);
  if (!h) throw new Error('no heap');
  for (let i = 0; i < n; i++) h[i] = fill(i);
  return h;
}

describe('wasm copyRows', () => {
  it('copies rows of 1..9 floats through up to five outer dims, like a nested loop', () => {
    for (const shape of [
      [7, 1],
      [3, 5, 4],
      [2, 3, 4, 6],
      [2, 2, 3, 5, 9],
      [2, 3, 2, 2, 3, 7],
    ]) {
      const rank = shape.length;
      const size = shape.reduce((p, d) => p * d, 1);
      // the source is the destination's layout with its outer dims reversed (a permute), after 3 junk floats
      const outStrides = new Array<number>(rank);
      const srcStrides = new Array<number>(rank);
      outStrides[rank - 1] = 1;
      for (let d = rank - 2; d >= 0; d--)
        outStrides[d] = (outStrides[d + 1] as number) * (shape[d + 1] as number);
      let s = shape[rank - 1] as number;
      srcStrides[rank - 1] = 1;
      for (let d = 0; d < rank - 1; d++) {
        srcStrides[d] = s;
        s *= shape[d] as number;
      }
      const src = heapArray(3 + size, (i) => i * 0.5 - 7);
      const dst = heapArray(size + 2, () => Number.NaN);
      expect(tier.copyRowsF32(src, 3, srcStrides, dst, 0, outStrides, shape)).toBe(true);
      const idx = new Array<number>(rank).fill(0);
      for (let k = 0; k < size; k++) {
        let si = 3;
        let oi = 0;
        for (let d = 0; d < rank; d++) {
          si += (idx[d] as number) * (srcStrides[d] as number);
          oi += (idx[d] as number) * (outStrides[d] as number);
        }
        expect(dst[oi]).toBe(src[si]);
        for (let d = rank - 1; d >= 0 && ++(idx[d] as number) === shape[d]; d--) idx[d] = 0;
      }
      expect(Number.isNaN(dst[size] as number)).toBe(true);
    }
  });

  it('refuses arrays outside the heap', () => {
    const a = new Float32Array(8);
    expect(tier.copyRowsF32(a, 0, [4, 1], new Float32Array(8), 0, [4, 1], [2, 4])).toBe(false);
  });

  it('a head split made contiguous matches the JS tier', async () => {
    const x = T.tidy(() => T.reshape(T.arange(0, 4 * 20 * 3 * 4 * 6), [4, 20, 3, 4, 6]).cast('float32'));
    const { js, wasm } = await onBothTiers(
      () => T.tidy(() => T.contiguous(x.permute([2, 0, 3, 1, 4]))),
      (t) => t.elementwiseStats.calls,
    );
    x.dispose();
    expect(Buffer.from(wasm.buffer).equals(Buffer.from(js.buffer))).toBe(true);
  });
});
