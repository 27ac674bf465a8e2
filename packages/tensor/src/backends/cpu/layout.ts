/** Layout helpers for CPU kernels: odometer iteration (and the shared dim coalescing, from shape.ts). */

export { coalesce } from '../../shape.js';

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
