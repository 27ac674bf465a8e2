/**
 * The textbook matmul, for reading beside matmul.ts: out[b, i, j] = Σ_k a[b, i, k] · b[b, k, j], one dot
 * product per output element, accumulated in doubles. It computes what the packed kernel computes; matmul.ts
 * only reorders the same loops so that operands stay in cache and sums in registers (about 10× faster in V8).
 * Nothing dispatches to it; test/conformance/cpu-matmul.test.ts checks the two agree.
 */
import type { View } from '../../backend.js';
import type { AnyTypedArray } from '../../dtype.js';
import { forEachOffset } from './layout.js';

export function matmulNaive(a: View, b: View, out: View): void {
  const r = a.shape.length;
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[r - 1] as number;
  const [aRs, aCs] = a.strides.slice(-2) as [number, number];
  const [bRs, bCs] = b.strides.slice(-2) as [number, number];
  const A = a.storage.handle as AnyTypedArray;
  const B = b.storage.handle as AnyTypedArray;
  const C = out.storage.handle as AnyTypedArray;
  let c = out.offset; // out is contiguous: batch entries one after another
  // every batch entry of the broadcast batch dims, with a's and b's offsets
  forEachOffset(
    a.shape.slice(0, -2),
    [a.strides.slice(0, -2), b.strides.slice(0, -2)],
    [a.offset, b.offset],
    ([aOff, bOff]) => {
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) sum += A[aOff! + i * aRs + p * aCs]! * B[bOff! + p * bRs + j * bCs]!;
          C[c++] = sum;
        }
    },
  );
}
