/**
 * Layout arithmetic done on the CPU before a dispatch (merging dims is `coalesce`, in shape.ts): packing
 * shapes and strides into the u32 parameter words a shader reads. Strides are stored as u32 bit patterns; u32
 * arithmetic wraps, so even a negative stride yields the right offset.
 */

/** Grows a list of u32 parameter words; shaders read word i with `pu(i)`. */
export class Params {
  readonly words: number[] = [];

  /** Appends values; returns the index of the first. */
  push(...values: readonly number[]): number {
    const at = this.words.length;
    for (const v of values) this.words.push(v >>> 0);
    return at;
  }
}

/** Splits a number of invocations into (x, y) workgroup counts within the per-dimension limit. */
export function grid1d(
  invocations: number,
  workgroupSize: number,
  maxPerDim: number,
): [number, number, number] {
  const groups = Math.ceil(invocations / workgroupSize);
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y, 1];
}

/**
 * WGSL statements that turn a linear index `idx` over `shape` (read from params at `shapeAt`) into offsets
 * `o0, o1, ...` for operands whose strides sit at `strideAts[k]` and offsets at `offsetAts[k]`. Unrolled for
 * the rank, innermost dim first.
 */
export function offsetsFromIndex(
  idx: string,
  rank: number,
  shapeAt: number,
  strideAts: readonly number[],
  offsetAts: readonly number[],
  prefix = 'o',
): string {
  const lines: string[] = [];
  strideAts.forEach((_, k) => {
    lines.push(`var ${prefix}${k}: u32 = pu(${offsetAts[k]}u);`);
  });
  const rem = `${prefix}rem`;
  if (rank > 0) lines.push(`var ${rem}: u32 = ${idx};`);
  for (let d = rank - 1; d >= 0; d--) {
    const c = `${prefix}c${d}`;
    if (d > 0) lines.push(`let ${c} = ${rem} % pu(${shapeAt + d}u); ${rem} = ${rem} / pu(${shapeAt + d}u);`);
    else lines.push(`let ${c} = ${rem};`);
    strideAts.forEach((at, k) => {
      lines.push(`${prefix}${k} += ${c} * pu(${at + d}u);`);
    });
  }
  return lines.join('\n  ');
}
