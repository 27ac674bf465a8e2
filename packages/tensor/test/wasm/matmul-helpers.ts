/** Helpers of the wasm matmul tests: seeded operands, the naive f64 reference and the f32 error bound. */
import { expect } from 'vitest';

/** Deterministic pseudo-random floats in [-1, 1). */
export function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

export interface Strided {
  data: Float32Array;
  off: number;
  rs: number;
  cs: number;
}

/** The naive reference, accumulating in f64; also returns sum |a||b| per element for the error bound. */
export function reference(
  a: Strided,
  b: Strided,
  M: number,
  N: number,
  K: number,
): { c: Float64Array; mag: Float64Array } {
  const c = new Float64Array(M * N);
  const mag = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      let g = 0;
      for (let k = 0; k < K; k++) {
        const x =
          (a.data[a.off + m * a.rs + k * a.cs] as number) * (b.data[b.off + k * b.rs + n * b.cs] as number);
        s += x;
        g += Math.abs(x);
      }
      c[m * N + n] = s;
      mag[m * N + n] = g;
    }
  }
  return { c, mag };
}

export function expectClose(
  got: Float32Array,
  gotOff: number,
  ld: number,
  ref: { c: Float64Array; mag: Float64Array },
  M: number,
  N: number,
  K: number,
): void {
  let worst = 0;
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const err = Math.abs((got[gotOff + m * ld + n] as number) - (ref.c[m * N + n] as number));
      // f32 accumulation error bound: ~K * eps * sum|a*b| (loose, but far below any real bug)
      const bound = 2 * (K + 2) * 2 ** -24 * (ref.mag[m * N + n] as number) + 1e-30;
      worst = Math.max(worst, err / bound);
    }
  }
  expect(worst).toBeLessThanOrEqual(1);
}
