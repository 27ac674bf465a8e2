/**
 * The CPU reference's packed matmul (src/backends/cpu/matmul.ts) against the textbook triple loop beside it
 * (matmul-naive.ts): the same sums in the same order up to K = 256 (one K block), so the same bits; within
 * rounding of doubles beyond. Transposed and broadcast-batch operands, odd sizes, float32/float64/int32.
 */
import { describe, expect, it } from 'vitest';
import type { View } from '../../src/backend.js';
import { matmul } from '../../src/backends/cpu/matmul.js';
import { matmulNaive } from '../../src/backends/cpu/matmul-naive.js';
import { type DType, typedArrayFor } from '../../src/dtype.js';
import { contiguousStrides } from '../../src/shape.js';

function view(dtype: DType, shape: number[], strides = contiguousStrides(shape), fill = true): View {
  const size = shape.reduce((p, d) => p * d, 1);
  const handle = typedArrayFor(dtype, size);
  if (fill)
    for (let i = 0; i < size; i++) handle[i] = dtype === 'int32' ? ((i * 7) % 11) - 5 : Math.sin(i * 1.3);
  return { storage: { handle } as View['storage'], shape, strides, offset: 0, dtype };
}

function both(a: View, b: View, outShape: number[]) {
  const x = view(a.dtype, outShape, undefined, false);
  const y = view(a.dtype, outShape, undefined, false);
  matmul(a, b, x);
  matmulNaive(a, b, y);
  return [x.storage.handle, y.storage.handle] as [Float64Array, Float64Array];
}

describe('cpu matmul: packed kernel = naive loop', () => {
  for (const dtype of ['float32', 'float64', 'int32'] as const)
    for (const [m, k, n] of [
      [1, 1, 1],
      [3, 17, 5],
      [17, 256, 9],
      [6, 1, 13],
    ] as const)
      it(`${dtype} ${m}×${k} @ ${k}×${n}, b transposed, batch broadcast: same bits`, () => {
        const a = view(dtype, [2, m, k]);
        const bT = view(dtype, [n, k]);
        // b = bTᵀ broadcast over the batch: strides [0, 1, k]
        const b = { ...bT, shape: [2, k, n], strides: [0, 1, k] };
        const [packed, naive] = both(a, b, [2, m, n]);
        expect(Array.from(packed)).toEqual(Array.from(naive));
      });

  it('float64 40×600 @ 600×30 (three K blocks): within rounding', () => {
    const [packed, naive] = both(view('float64', [40, 600]), view('float64', [600, 30]), [40, 30]);
    for (let i = 0; i < packed.length; i++) expect(packed[i]).toBeCloseTo(naive[i]!, 10);
  });
});
