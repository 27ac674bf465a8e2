/**
 * Copies strided operands into the panel layouts the gemm kernel reads (see gemm.ts), zero-padding the ragged
 * last panel. This is the only copy-in: any strides (transposed, broadcast, sliced) cost the same one pass.
 */

/** a[m, k] at src[off + m*sM + k*sK] -> MR-row panels: dst[dOff + ((m/mr)*K + k)*mr + m%mr]. */
export function packA(
  src: Float32Array,
  off: number,
  sM: number,
  sK: number,
  M: number,
  K: number,
  mr: number,
  dst: Float32Array,
  dOff: number,
): void {
  let d = dOff;
  for (let m0 = 0; m0 < M; m0 += mr) {
    const rows = Math.min(mr, M - m0);
    const base = off + m0 * sM;
    if (rows === mr && mr === 4) {
      // the common case, unrolled: four rows at a time
      let p = base;
      for (let k = 0; k < K; k++, p += sK, d += 4) {
        dst[d] = src[p] as number;
        dst[d + 1] = src[p + sM] as number;
        dst[d + 2] = src[p + 2 * sM] as number;
        dst[d + 3] = src[p + 3 * sM] as number;
      }
      continue;
    }
    for (let k = 0; k < K; k++, d += mr) {
      const p = base + k * sK;
      for (let r = 0; r < rows; r++) dst[d + r] = src[p + r * sM] as number;
      for (let r = rows; r < mr; r++) dst[d + r] = 0;
    }
  }
}

/** b[k, n] at src[off + k*sK + n*sN] -> NR-column panels: dst[dOff + ((n/nr)*K + k)*nr + n%nr]. */
export function packB(
  src: Float32Array,
  off: number,
  sK: number,
  sN: number,
  K: number,
  N: number,
  nr: number,
  dst: Float32Array,
  dOff: number,
): void {
  let d = dOff;
  for (let n0 = 0; n0 < N; n0 += nr) {
    const cols = Math.min(nr, N - n0);
    const base = off + n0 * sN;
    if (cols === nr && sN === 1) {
      // rows of the panel are contiguous in the source (a plain loop: subarray() per row costs more than it copies)
      for (let k = 0, p = base; k < K; k++, p += sK) {
        for (let c = 0; c < nr; c++) dst[d++] = src[p + c] as number;
      }
      continue;
    }
    for (let k = 0; k < K; k++, d += nr) {
      const p = base + k * sK;
      for (let c = 0; c < cols; c++) dst[d + c] = src[p + c * sN] as number;
      for (let c = cols; c < nr; c++) dst[d + c] = 0;
    }
  }
}

/** C (row-major, row stride ldc) -> out[off + m*sM + n*sN]: the only copy-out. */
export function unpackC(
  c: Float32Array,
  cOff: number,
  ldc: number,
  M: number,
  N: number,
  out: Float32Array,
  off: number,
  sM: number,
  sN: number,
): void {
  for (let m = 0; m < M; m++) {
    const s = cOff + m * ldc;
    const o = off + m * sM;
    // set(subarray) is a memcpy but costs ~100 ns to set up: short rows copy faster in a loop
    if (sN === 1 && N >= 128) {
      out.set(c.subarray(s, s + N), o);
      continue;
    }
    for (let n = 0; n < N; n++) out[o + n * sN] = c[s + n] as number;
  }
}
