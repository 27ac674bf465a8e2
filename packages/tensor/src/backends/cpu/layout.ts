/** Layout helpers for CPU kernels: merging dims that walk memory together, and odometer iteration. */

/**
 * Drops size-1 dims and merges neighbouring dims that every operand walks contiguously, so most kernels
 * run as one flat loop. All operands share `shape`; each has its own strides.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * n);
    if (mergeable) {
      outShape[last] = outShape[last]! * n;
      strides.forEach((s, k) => {
        outStrides[k]![last] = s[d]!;
      });
    } else {
      outShape.push(n);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls fn(offsets) for every index of `shape` in row-major order, where offsets[k] is operand k's element
 * offset. `offsets` is reused between calls: read it, do not keep it.
 */
export function forEachOffset(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  bases: readonly number[],
  fn: (offsets: number[]) => void,
): void {
  const rank = shape.length;
  const total = shape.reduce((p, d) => p * d, 1);
  if (total === 0) return;
  const offsets = [...bases];
  const idx = new Array<number>(rank).fill(0);
  for (let n = 0; n < total; n++) {
    fn(offsets);
    for (let d = rank - 1; d >= 0; d--) {
      const s = strides;
      if (++idx[d]! < shape[d]!) {
        for (let k = 0; k < offsets.length; k++) offsets[k]! += s[k]![d]!;
        break;
      }
      idx[d] = 0;
      for (let k = 0; k < offsets.length; k++) offsets[k]! -= s[k]![d]! * (shape[d]! - 1);
    }
  }
}
