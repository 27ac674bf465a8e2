/**
 * Input layouts for the conformance suite: the same logical values presented as a contiguous tensor and as
 * non-contiguous views (transposed, sliced with a step and an offset, expanded with stride 0), together with
 * the values a correct kernel must see, computed by plain index arithmetic in JS.
 */
import { type DType, expand, permute, slice, type Tensor, tensor, tidy } from '../../src/index.js';

export interface LayoutCase {
  readonly layout: string;
  readonly shape: number[];
  /** The logical values of the view, row-major. */
  readonly values: number[];
  /** Creates the view (a fresh tensor; the caller disposes it). */
  make(): Tensor;
}

/**
 * Views of logical shape [n] or [r, n] holding `gen(i)` at flat position i (row-major). Every layout gives the
 * same shape and values; only strides and offsets differ.
 */
export function layouts(
  backend: string,
  shape: readonly number[],
  gen: (i: number) => number,
  dtype: DType = 'float32',
): LayoutCase[] {
  const n = shape.reduce((p, d) => p * d, 1);
  const values = Array.from({ length: n }, (_, i) => gen(i));
  const base = { shape: [...shape], values };
  const mk = (data: number[], s: readonly number[]) => tensor(data, { shape: s, dtype, backend });
  const out: LayoutCase[] = [{ ...base, layout: 'contiguous', make: () => mk(values, shape) }];
  const rank = shape.length;
  const last = rank > 0 ? shape[rank - 1]! : 1;
  const lead = shape.slice(0, -1);
  const rows = lead.reduce((p, d) => p * d, 1);

  if (rank >= 1) {
    // Slice with offset 1 and step 3 along the last axis of a wider buffer filled with junk elsewhere.
    const width = 3 * last + 2;
    const buf = new Array<number>(rows * width).fill(dtype === 'bool' ? 1 : 99);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < last; j++) buf[r * width + 1 + 3 * j] = values[r * last + j]!;
    out.push({
      ...base,
      layout: 'stepped',
      make: () => tidy(() => slice(mk(buf, [...lead, width]), -1, 1, 1 + 3 * last, 3)),
    });
  }
  if (rank >= 2) {
    // Stored with the last two axes swapped, viewed back through a permute.
    const a = shape[rank - 2]!;
    const blocks = rows / a || 0;
    const buf = new Array<number>(n);
    for (let blk = 0; blk < blocks; blk++)
      for (let i = 0; i < a; i++)
        for (let j = 0; j < last; j++)
          buf[blk * a * last + j * a + i] = values[blk * a * last + i * last + j]!;
    const stored = [...shape.slice(0, -2), last, a];
    const perm = [...shape.slice(0, -2).map((_, i) => i), rank - 1, rank - 2];
    out.push({ ...base, layout: 'transposed', make: () => tidy(() => permute(mk(buf, stored), perm)) });
  }
  if (rank >= 1 && n > 0 && values.every((v, i) => v === values[i % last]!)) {
    // Rows all equal: a single row expanded with stride 0.
    out.push({
      ...base,
      layout: 'expanded',
      make: () => tidy(() => expand(mk(values.slice(0, last), [last]), shape)),
    });
  }
  return out;
}

/** Values periodic in the last axis (so an `expanded` layout exists): row r, column j -> gen(j). */
export function rowPeriodic(shape: readonly number[], gen: (j: number) => number): (i: number) => number {
  const last = shape[shape.length - 1] ?? 1;
  return (i) => gen(i % last);
}
