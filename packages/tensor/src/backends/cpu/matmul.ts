/**
 * CPU matmul: packing plus a 4×4 register-blocked micro-kernel, the classic GEMM structure (Goto & van de
 * Geijn) in plain JavaScript. Operands may have any strides (a transposed operand is packed, not copied
 * first); the output is contiguous. Accumulates in doubles.
 *
 *   for each K block (kc deep, so the packed panels stay in cache):
 *     pack B[k-block, :] into column panels of 4:   Bp[panel][k*4 + j]
 *     pack A[:, k-block] into row panels of 4:      Ap[panel][k*4 + i]
 *     for each 4×4 tile of C: 16 accumulators in locals, one pass over k
 */
import type { View } from '../../backend.js';
import type { AnyTypedArray } from '../../dtype.js';
import { forEachOffset } from './layout.js';

const KC = 256;
let packA = new Float64Array(0);
let packB = new Float64Array(0);

export function matmul(a: View, b: View, out: View): void {
  const r = a.shape.length;
  const m = a.shape[r - 2]!;
  const k = a.shape[r - 1]!;
  const n = b.shape[r - 1]!;
  const batchShape = a.shape.slice(0, -2);
  const A = a.storage.handle as AnyTypedArray;
  const B = b.storage.handle as AnyTypedArray;
  const C = out.storage.handle as AnyTypedArray;
  const aRs = a.strides[r - 2]!;
  const aCs = a.strides[r - 1]!;
  const bRs = b.strides[r - 2]!;
  const bCs = b.strides[r - 1]!;
  let cOff = out.offset;
  forEachOffset(
    batchShape,
    [a.strides.slice(0, -2), b.strides.slice(0, -2)],
    [a.offset, b.offset],
    ([aOff, bOff]) => {
      gemm(A, aOff!, aRs, aCs, B, bOff!, bRs, bCs, C, cOff, m, n, k);
      cOff += m * n;
    },
  );
}

function gemm(
  A: AnyTypedArray,
  aOff: number,
  aRs: number,
  aCs: number,
  B: AnyTypedArray,
  bOff: number,
  bRs: number,
  bCs: number,
  C: AnyTypedArray,
  cOff: number,
  m: number,
  n: number,
  k: number,
): void {
  const mp = Math.ceil(m / 4);
  const np = Math.ceil(n / 4);
  const acc = new Float64Array(m * n);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    if (packA.length < mp * 4 * kc) packA = new Float64Array(mp * 4 * kc);
    if (packB.length < np * 4 * kc) packB = new Float64Array(np * 4 * kc);
    packPanels(A, aOff + k0 * aCs, aRs, aCs, m, kc, packA);
    packPanels(B, bOff + k0 * bRs, bCs, bRs, n, kc, packB);
    for (let ip = 0; ip < mp; ip++) {
      for (let jp = 0; jp < np; jp++)
        tile(packA, ip * 4 * kc, packB, jp * 4 * kc, kc, acc, ip * 4, jp * 4, m, n);
    }
  }
  for (let i = 0; i < m * n; i++) C[cOff + i] = acc[i]!;
}

/**
 * Packs `rows` rows (stride rowStride) of `depth` elements (stride depthStride) into panels of 4 rows,
 * interleaved by depth: dst[panel*4*depth + d*4 + r]. Missing rows of the last panel are zero.
 */
function packPanels(
  src: AnyTypedArray,
  off: number,
  rowStride: number,
  depthStride: number,
  rows: number,
  depth: number,
  dst: Float64Array,
): void {
  const panels = Math.ceil(rows / 4);
  for (let p = 0; p < panels; p++) {
    const base = p * 4 * depth;
    for (let r = 0; r < 4; r++) {
      const row = p * 4 + r;
      if (row < rows) {
        let s = off + row * rowStride;
        for (let d = 0; d < depth; d++, s += depthStride) dst[base + d * 4 + r] = src[s]!;
      } else {
        for (let d = 0; d < depth; d++) dst[base + d * 4 + r] = 0;
      }
    }
  }
}

/**
 * C[i0:i0+4, j0:j0+4] += Ap-panel · Bp-panel over kc, with all 16 sums held in locals. Loads first, then
 * the 16 multiply-adds grouped by B column (measured fastest of 2×4, 3×4, 4×2 and 4×4 orders in V8).
 */
function tile(
  Ap: Float64Array,
  pa: number,
  Bp: Float64Array,
  pb: number,
  kc: number,
  C: Float64Array,
  i0: number,
  j0: number,
  m: number,
  n: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  const end = pa + kc * 4;
  for (; pa < end; pa += 4, pb += 4) {
    const b0 = Bp[pb]!,
      b1 = Bp[pb + 1]!,
      b2 = Bp[pb + 2]!,
      b3 = Bp[pb + 3]!;
    const a0 = Ap[pa]!,
      a1 = Ap[pa + 1]!,
      a2 = Ap[pa + 2]!,
      a3 = Ap[pa + 3]!;
    c00 += a0 * b0;
    c10 += a1 * b0;
    c20 += a2 * b0;
    c30 += a3 * b0;
    c01 += a0 * b1;
    c11 += a1 * b1;
    c21 += a2 * b1;
    c31 += a3 * b1;
    c02 += a0 * b2;
    c12 += a1 * b2;
    c22 += a2 * b2;
    c32 += a3 * b2;
    c03 += a0 * b3;
    c13 += a1 * b3;
    c23 += a2 * b3;
    c33 += a3 * b3;
  }
  if (i0 + 4 <= m && j0 + 4 <= n) {
    let r = i0 * n + j0;
    C[r]! += c00;
    C[r + 1]! += c01;
    C[r + 2]! += c02;
    C[r + 3]! += c03;
    r += n;
    C[r]! += c10;
    C[r + 1]! += c11;
    C[r + 2]! += c12;
    C[r + 3]! += c13;
    r += n;
    C[r]! += c20;
    C[r + 1]! += c21;
    C[r + 2]! += c22;
    C[r + 3]! += c23;
    r += n;
    C[r]! += c30;
    C[r + 1]! += c31;
    C[r + 2]! += c32;
    C[r + 3]! += c33;
    return;
  }
  // Edge tile: store only the rows and columns inside C.
  const sums = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let i = 0; i < Math.min(4, m - i0); i++) {
    const row = (i0 + i) * n + j0;
    for (let j = 0; j < Math.min(4, n - j0); j++) C[row + j]! += sums[i * 4 + j]!;
  }
}
