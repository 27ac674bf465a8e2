/**
 * The names PyTorch users reach for first, composed from the primitives (so autograd needs no new rules):
 * `rsqrt`, `select`, `view`, `t`, `pad` with negative widths (a crop), `oneHot` that infers the class count.
 */
import { untracked } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { BackendError, DTypeError, fmtShape, IndexError, ShapeError } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { composite } from './elementwise.js';
import { oneHot as oneHotWith, pad as padNonNegative } from './movement.js';
import { max } from './reduce.js';
import { assertLive } from './util.js';
import { reshape, slice, squeeze, transpose } from './views.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];

/** 1/√x in one fused kernel (torch.rsqrt). */
export function rsqrt(x: Tensor): Tensor {
  assertLive('rsqrt', x, 'x');
  return composite('rsqrt', [x], FLOATS, (x) => x.sqrt().reciprocal());
}

/** x[..., index, ...] along `axis`, removing that axis (torch.select); a negative index counts from the end. */
export function select(x: Tensor, axis: number, index: number): Tensor {
  assertLive('select', x, 'x');
  const ax = normalizeAxis('select', axis, x.rank);
  const n = x.shape[ax]!;
  if (!Number.isInteger(index) || index < -n || index >= n)
    throw new IndexError(
      'select',
      `index ${index} is out of range for axis ${ax} of size ${n} in ${fmtShape(x.shape)}`,
    );
  const i = index < 0 ? index + n : index;
  const row = slice(x, ax, i, i + 1);
  const out = squeeze(row, ax);
  row.dispose();
  return out;
}

/**
 * reshape that never copies (torch.view): on a contiguous tensor the same as reshape, otherwise a ShapeError
 * pointing to reshape (which copies when it must) or contiguous().
 */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  assertLive('view', x, 'x');
  if (!x.isContiguous)
    throw new ShapeError(
      'view',
      `${fmtShape(x.shape)} with strides ${fmtShape(x.strides)} is not contiguous; use reshape (copies when it must) or contiguous().view(...)`,
    );
  return reshape(x, shape);
}

/** The transpose of a matrix, a vector or a scalar as it is (torch.t); rank > 2 is a ShapeError. */
export function t(x: Tensor): Tensor {
  assertLive('t', x, 'x');
  if (x.rank > 2)
    throw new ShapeError(
      't',
      `expects a tensor of rank <= 2, got ${fmtShape(x.shape)}; use transpose(d0, d1) or permute`,
    );
  return x.rank === 2 ? transpose(x, 0, 1) : reshape(x, x.shape);
}

/**
 * One `[before, after]` pair per axis, axis 0 first. Positive widths add `value`; negative widths remove that
 * many elements (as torch.nn.functional.pad), so `pad(x, [[-1, -1]])` crops one from each end.
 */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  assertLive('pad', x, 'x');
  if (!pads.some(([b, a]) => b < 0 || a < 0)) return padNonNegative(x, pads, value);
  if (pads.length !== x.rank)
    throw new ShapeError(
      'pad',
      `needs one [before, after] pair per axis: got ${pads.length} pairs for ${fmtShape(x.shape)}`,
    );
  // Crop first (views), then pad what is left; the crop is a view of x, freed once the padded copy exists.
  let cropped = x;
  pads.forEach(([b, a], axis) => {
    if (b >= 0 && a >= 0) return;
    const n = cropped.shape[axis]!;
    const start = Math.max(0, -b);
    const end = n - Math.max(0, -a);
    if (end < start)
      throw new ShapeError(
        'pad',
        `widths [${b}, ${a}] remove more than axis ${axis} of ${fmtShape(x.shape)} holds`,
      );
    const next = slice(cropped, axis, start, end);
    if (cropped !== x) cropped.dispose();
    cropped = next;
  });
  const out = padNonNegative(
    cropped,
    pads.map(([b, a]) => [Math.max(0, b), Math.max(0, a)] as const),
    value,
  );
  cropped.dispose();
  return out;
}

/**
 * One-hot rows of `numClasses` columns for int32 `indices`. Without numClasses (or -1, torch's default) it is
 * max(indices) + 1, which needs a synchronous read: CPU only; elsewhere a BackendError asks for the count.
 */
export function oneHot(indices: Tensor, numClasses = -1, dtype: DType = 'int32'): Tensor {
  assertLive('oneHot', indices, 'indices');
  if (numClasses !== -1) return oneHotWith(indices, numClasses, dtype);
  if (indices.dtype !== 'int32')
    throw new DTypeError('oneHot', `indices must be int32, got ${indices.dtype} ${fmtShape(indices.shape)}`);
  if (indices.size === 0)
    throw new ShapeError(
      'oneHot',
      `cannot infer numClasses from an empty ${fmtShape(indices.shape)}; pass it`,
    );
  if (!indices.backend.readSync)
    throw new BackendError(
      'oneHot',
      `inferring numClasses reads max(indices) synchronously, which ${indices.backend.name} cannot; pass numClasses`,
    );
  const top = untracked(() => max(indices));
  const n = top.itemSyncCpu() + 1;
  top.dispose();
  return oneHotWith(indices, n, dtype);
}
