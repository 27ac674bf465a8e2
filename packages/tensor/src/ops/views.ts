/**
 * Views: new (shape, strides, offset) over the same storage, no data moved. reshape copies only when the
 * strides make a view impossible (as PyTorch's reshape); contiguous() materialises.
 */
import { record } from '../dispatch.js';
import { fmtShape, IndexError, ShapeError } from '../errors.js';
import {
  inferReshape,
  isContiguousLayout,
  normalizeAxes,
  normalizeAxis,
  type Shape,
  viewStrides,
} from '../shape.js';
import { Tensor } from '../tensor.js';
import { input } from './expr.js';
import { assertLive, empty } from './util.js';

/** One axis or several; negative values count from the end. */
export type Axes = number | readonly number[];

function view(x: Tensor, shape: Shape, strides: readonly number[], offset = x.offset): Tensor {
  return new Tensor(x.storage, shape, strides, offset);
}

/** A contiguous copy, not reported to the recorder (used inside other ops and reads). */
export function contiguousCopy(x: Tensor): Tensor {
  const out = empty(x.backend, x.dtype, x.shape);
  if (out.size > 0) x.backend.elementwise(input(0), [x], out);
  return out;
}

/** A contiguous copy of x. */
export function contiguous(x: Tensor): Tensor {
  assertLive('contiguous', x, 'x');
  const out = contiguousCopy(x);
  record('contiguous', [x], {}, out);
  return out;
}

/** x's elements in a new shape (one `-1` is inferred); a view when the strides allow, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  assertLive('reshape', x, 'x');
  const to = inferReshape('reshape', x.shape, shape);
  const strides = viewStrides(x.shape, x.strides, to);
  let out: Tensor;
  if (strides) {
    out = view(x, to, strides);
  } else {
    const c = contiguousCopy(x);
    out = view(c, to, viewStrides(c.shape, c.strides, to)!);
    c.dispose();
  }
  record('reshape', [x], { shape: to }, out);
  return out;
}

/** A view of x with its axes reordered by `dims`. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  assertLive('permute', x, 'x');
  const norm = dims.map((d) => normalizeAxis('permute', d, x.rank));
  if (norm.length !== x.rank || new Set(norm).size !== norm.length) {
    throw new IndexError(
      'permute',
      `dims [${dims.join(',')}] are not a permutation of ${x.rank} axes of ${fmtShape(x.shape)}`,
    );
  }
  const out = view(
    x,
    norm.map((d) => x.shape[d]!),
    norm.map((d) => x.strides[d]!),
  );
  record('permute', [x], { dims: norm }, out);
  return out;
}

/** A view of x with axes d0 and d1 swapped (default the last two). */
export function transpose(x: Tensor, d0 = -2, d1 = -1): Tensor {
  assertLive('transpose', x, 'x');
  const a = normalizeAxis('transpose', d0, x.rank);
  const b = normalizeAxis('transpose', d1, x.rank);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/** Broadcasts to `shape` with stride-0 axes. -1 keeps a dim; new leading axes may be added. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  assertLive('expand', x, 'x');
  const lead = shape.length - x.rank;
  if (lead < 0)
    throw new ShapeError('expand', `cannot expand ${fmtShape(x.shape)} to fewer dims ${fmtShape(shape)}`);
  const to = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead]! : d));
  const strides = to.map((d, i) => {
    if (i < lead) {
      if (d < 0) throw new ShapeError('expand', `invalid size ${d} in ${fmtShape(shape)}`);
      return 0;
    }
    const s = x.shape[i - lead]!;
    if (s === d) return x.strides[i - lead]!;
    if (s === 1 && d >= 0) return 0;
    throw new ShapeError(
      'expand',
      `cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}: dim ${i} is ${s}, not 1`,
    );
  });
  const out = view(x, to, strides);
  record('expand', [x], { shape: to }, out);
  return out;
}

/** x[..., start:end:step, ...] along one axis, with Python's rules for negative and out-of-range bounds. */
export function slice(x: Tensor, axis: number, start: number, end?: number, step = 1): Tensor {
  assertLive('slice', x, 'x');
  const ax = normalizeAxis('slice', axis, x.rank);
  if (!Number.isInteger(step) || step <= 0)
    throw new IndexError('slice', `step must be a positive integer, got ${step}`);
  const n = x.shape[ax]!;
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = end === undefined ? n : clampIdx(end);
  const len = e > s ? Math.ceil((e - s) / step) : 0;
  const shape = [...x.shape];
  shape[ax] = len;
  const strides = [...x.strides];
  strides[ax] = x.strides[ax]! * step;
  const out = view(x, shape, strides, x.offset + (len > 0 ? s * x.strides[ax]! : 0));
  record('slice', [x], { axis: ax, start: s, end: s + len * step, step }, out);
  return out;
}

/** Removes size-1 axes (all of them, or the given ones; a given axis that is not size 1 is left, as PyTorch). */
export function squeeze(x: Tensor, axis?: Axes): Tensor {
  assertLive('squeeze', x, 'x');
  const axes = axis === undefined ? x.shape.map((_, i) => i) : normalizeAxes('squeeze', axis, x.rank);
  return reshape(
    x,
    x.shape.filter((d, i) => !(d === 1 && axes.includes(i))),
  );
}

/** A view of x with a new size-1 axis at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  assertLive('unsqueeze', x, 'x');
  const ax = normalizeAxis('unsqueeze', axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(ax, 0, 1);
  return reshape(x, shape);
}

/** x with axes start..end merged into one (a view when the strides allow). */
export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  assertLive('flatten', x, 'x');
  if (x.rank === 0) return reshape(x, [1]);
  const s = normalizeAxis('flatten', start, x.rank);
  const e = normalizeAxis('flatten', end, x.rank);
  if (s > e) throw new IndexError('flatten', `start axis ${start} is after end axis ${end}`);
  const merged = x.shape.slice(s, e + 1).reduce((p, d) => p * d, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

export { isContiguousLayout };
