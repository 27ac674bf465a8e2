/**
 * Copies strided operands into the panel layouts the gemm kernel reads (see gemm.ts), zero-padding the ragged
 * last panel. This is the only copy-in: any strides (transposed, broadcast, sliced) cost the same one pass.
 */

/**
 * x[r, k] at src[off + r*sR + k*sK] -> panels of `width` rows: dst[dOff + ((r/width)*K + k)*width + r%width].
 * A's MR-row panels are this over A's rows (sR = A's row stride); B's NR-column panels are this over B's
 * columns, the rows of Bᵀ (sR = B's column stride, sK its row stride): one copy loop serves both.
 */
export function packPanels(
  src: Float32Array,
  off: number,
  sR: number,
  sK: number,
  R: number,
  K: number,
  width: number,
  dst: Float32Array,
  dOff: number,
): void {
  let d = dOff;
  for (let r0 = 0; r0 < R; r0 += width) {
    const rows = Math.min(width, R - r0);
    const base = off + r0 * sR;
    if (rows === width && width === 4) {
      // A's common case (MR = 4), unrolled: four rows at a time
      let p = base;
      for (let k = 0; k < K; k++, p += sK, d += 4) {
        dst[d] = src[p] as number;
        dst[d + 1] = src[p + sR] as number;
        dst[d + 2] = src[p + 2 * sR] as number;
        dst[d + 3] = src[p + 3 * sR] as number;
      }
      continue;
    }
    if (rows === width && sR === 1) {
      // B's common case: the panel's values at each k are contiguous in the source (a plain loop:
      // subarray() per k costs more than it copies)
      for (let k = 0, p = base; k < K; k++, p += sK) {
        for (let c = 0; c < width; c++) dst[d++] = src[p + c] as number;
      }
      continue;
    }
    for (let k = 0; k < K; k++, d += width) {
      const p = base + k * sK;
      for (let r = 0; r < rows; r++) dst[d + r] = src[p + r * sR] as number;
      for (let r = rows; r < width; r++) dst[d + r] = 0;
    }
  }
}

/**
 * The ragged last panel of rows [full*width, R), which the wasm packers (whole panels only) leave to this
 * copy loop; nothing when R is a multiple of width. Same arguments as packPanels, with `full` whole panels.
 */
export function packLastPanel(
  mem: Float32Array,
  src: number,
  sR: number,
  sK: number,
  R: number,
  K: number,
  width: number,
  full: number,
  dst: number,
): void {
  const done = full * width;
  if (R > done) packPanels(mem, src + done * sR, sR, sK, R - done, K, width, mem, dst + done * K);
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
