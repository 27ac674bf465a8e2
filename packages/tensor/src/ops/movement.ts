/** Joining, padding and indexing: pad, concat, stack, split, gather, indexSelect, take, scatterAdd, oneHot. */

import { record, untracked } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { DTypeError, fmtShape, IndexError, ShapeError } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { arange } from './creation.js';
import { cast, where } from './elementwise.js';
import { add, eq, lt } from './math.js';
import { filled } from './scalar.js';
import { assertLive, commonBackend, disposeOnThrow, empty, rawView } from './util.js';
import { contiguousCopy, expand, reshape, slice, unsqueeze } from './views.js';

/** Constant padding: one [before, after] pair per axis, axis 0 first (NumPy's convention). */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  assertLive('pad', x, 'x');
  if (pads.length !== x.rank) {
    throw new ShapeError(
      'pad',
      `needs one [before, after] pair per axis: got ${pads.length} pairs for ${fmtShape(x.shape)}`,
    );
  }
  for (const [b, a] of pads) {
    if (!Number.isInteger(b) || !Number.isInteger(a) || b < 0 || a < 0) {
      throw new ShapeError(
        'pad',
        `pad widths must be integers >= 0, got [${b}, ${a}] for ${fmtShape(x.shape)}`,
      );
    }
  }
  if (
    (x.dtype === 'int32' && !Number.isInteger(value)) ||
    (x.dtype === 'bool' && value !== 0 && value !== 1)
  ) {
    throw new DTypeError('pad', `value ${value} does not fit dtype ${x.dtype} of ${fmtShape(x.shape)}`);
  }
  const shape = x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
  const out = filled(x.backend, x.dtype, shape, value);
  const offset = pads.reduce((o, [b], i) => o + b * out.strides[i]!, 0);
  if (x.size > 0)
    x.backend.elementwise({ kind: 'input', index: 0 }, [x], rawView(out, x.shape, out.strides, offset));
  record('pad', [x], { pads: pads.map(([b, a]) => [b, a]), value }, out);
  return out;
}

/** Joins tensors of the same dtype along an existing axis (torch.cat). */
export function concat(parts: readonly Tensor[], axis = 0): Tensor {
  if (parts.length === 0) throw new ShapeError('concat', 'needs at least one tensor');
  const backend = commonBackend('concat', ...parts);
  const first = parts[0]!;
  if (first.rank === 0)
    throw new ShapeError('concat', 'zero-dimensional tensors cannot be concatenated; use stack');
  const ax = normalizeAxis('concat', axis, first.rank);
  for (const p of parts) {
    if (p.dtype !== first.dtype)
      throw new DTypeError('concat', `dtype mismatch: ${first.dtype} and ${p.dtype}`);
    if (p.rank !== first.rank || p.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new ShapeError(
        'concat',
        `shapes ${parts.map((t) => fmtShape(t.shape)).join(', ')} differ outside axis ${ax}`,
      );
    }
  }
  const shape = [...first.shape];
  shape[ax] = parts.reduce((s, p) => s + p.shape[ax]!, 0);
  const out = empty(backend, first.dtype, shape);
  let at = 0;
  for (const p of parts) {
    if (p.size > 0)
      backend.elementwise(
        { kind: 'input', index: 0 },
        [p],
        rawView(out, p.shape, out.strides, at * out.strides[ax]!),
      );
    at += p.shape[ax]!;
  }
  record('concat', parts, { axis: ax }, out);
  return out;
}

/** Joins tensors of one shape along a new axis (torch.stack). */
export function stack(parts: readonly Tensor[], axis = 0): Tensor {
  if (parts.length === 0) throw new ShapeError('stack', 'needs at least one tensor');
  const ax = normalizeAxis('stack', axis, parts[0]!.rank + 1);
  for (const p of parts) {
    assertLive('stack', p, 'a tensor in the list');
    if (p.rank !== parts[0]!.rank || p.shape.some((d, i) => d !== parts[0]!.shape[i])) {
      throw new ShapeError(
        'stack',
        `all shapes must be equal, got ${parts.map((t) => fmtShape(t.shape)).join(', ')}`,
      );
    }
  }
  const lifted = parts.map((p) => unsqueeze(p, ax));
  try {
    return concat(lifted, ax);
  } finally {
    for (const t of lifted) t.dispose();
  }
}

/** torch.split: a number is the size of each chunk (the last may be smaller); an array lists the sizes. */
export function split(x: Tensor, sizeOrSections: number | readonly number[], axis = 0): Tensor[] {
  assertLive('split', x, 'x');
  const ax = normalizeAxis('split', axis, x.rank);
  const n = x.shape[ax]!;
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0) {
      throw new ShapeError('split', `chunk size must be a positive integer, got ${sizeOrSections}`);
    }
    sizes = [];
    for (let at = 0; at < n; at += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - at));
    if (n === 0) sizes.push(0);
  } else {
    sizes = [...sizeOrSections];
    const total = sizes.reduce((s, v) => s + v, 0);
    if (total !== n || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new ShapeError(
        'split',
        `sizes [${sizes.join(',')}] must be integers >= 0 summing to ${n} (axis ${ax} of ${fmtShape(x.shape)})`,
      );
    }
  }
  let at = 0;
  return sizes.map((s) => {
    const part = slice(x, ax, at, at + s);
    at += s;
    return part;
  });
}

/** Composites report index errors under the op the user called (indexSelect, take), not the inner gather. */
function relabel<T>(op: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof IndexError && e.op !== op) throw new IndexError(op, e.message.slice(e.op.length + 2));
    throw e;
  }
}

function assertIndex(op: string, index: Tensor): void {
  if (index.dtype !== 'int32')
    throw new DTypeError(op, `index must be int32, got ${index.dtype} ${fmtShape(index.shape)}`);
}

/** torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] for axis 1; index has x's rank. */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const backend = commonBackend('gather', x, index);
  assertIndex('gather', index);
  const ax = normalizeAxis('gather', axis, x.rank);
  if (index.rank !== x.rank || index.shape.some((d, i) => i !== ax && d > x.shape[i]!)) {
    throw new ShapeError(
      'gather',
      `index ${fmtShape(index.shape)} must have x's rank and fit inside x ${fmtShape(x.shape)} outside axis ${ax}`,
    );
  }
  const out = empty(backend, x.dtype, index.shape);
  if (out.size > 0) {
    if (x.shape[ax] === 0) {
      out.dispose();
      throw new IndexError('gather', `axis ${ax} of ${fmtShape(x.shape)} is empty; no index is valid`);
    }
    disposeOnThrow(out, () => backend.gather(x, ax, index, out));
  }
  record('gather', [x, index], { axis: ax }, out);
  return out;
}
/** The same as gather (NumPy's name). */
export const takeAlongAxis = gather;

/** x's entries at positions `index` (1-D int32) along axis. */
export function indexSelect(x: Tensor, axis: number, index: Tensor): Tensor {
  commonBackend('indexSelect', x, index);
  assertIndex('indexSelect', index);
  if (index.rank !== 1)
    throw new ShapeError('indexSelect', `index must be 1-D, got ${fmtShape(index.shape)}`);
  const ax = normalizeAxis('indexSelect', axis, x.rank);
  const lifted = reshape(
    index,
    x.shape.map((_, i) => (i === ax ? index.size : 1)),
  );
  const full = expand(
    lifted,
    x.shape.map((d, i) => (i === ax ? index.size : d)),
  );
  try {
    return relabel('indexSelect', () => gather(x, ax, full));
  } finally {
    lifted.dispose();
    full.dispose();
  }
}

/**
 * torch.take: indexes the flattened tensor; the result has the indices' shape. Unlike gather and indexSelect,
 * indices in [-size, 0) count from the end (as torch.take); they are checked, then wrapped into [0, size).
 */
export function take(x: Tensor, indices: Tensor): Tensor {
  commonBackend('take', x, indices);
  assertIndex('take', indices);
  const flat = reshape(x, [-1]);
  const idx = reshape(indices, [-1]);
  let wrapped: Tensor | undefined;
  let picked: Tensor | undefined;
  try {
    x.backend.checkIndexRange('take', idx, -x.size, x.size);
    wrapped = untracked(() => where(lt(idx, 0), add(idx, x.size), idx));
    const w = wrapped;
    picked = relabel('take', () => indexSelect(flat, 0, w));
    return reshape(picked, indices.shape);
  } finally {
    for (const t of [flat, idx, wrapped, picked]) t?.dispose();
  }
}

/** torch.scatter_add: a copy of x with src[i][j] added at x[index[i][j]][j] (axis 0); duplicates accumulate. */
export function scatterAdd(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  const backend = commonBackend('scatterAdd', x, index, src);
  assertIndex('scatterAdd', index);
  if (src.dtype !== x.dtype)
    throw new DTypeError('scatterAdd', `dtype mismatch: x ${x.dtype}, src ${src.dtype}`);
  // Sums of bools are not bools (1 + 1 would store 2 in a 0/1 buffer); PyTorch refuses too.
  if (x.dtype === 'bool')
    throw new DTypeError('scatterAdd', `not defined for bool ${fmtShape(x.shape)}; cast to int32 first`);
  const ax = normalizeAxis('scatterAdd', axis, x.rank);
  if (
    index.rank !== x.rank ||
    src.rank !== x.rank ||
    index.shape.some((d, i) => d > src.shape[i]! || (i !== ax && d > x.shape[i]!))
  ) {
    throw new ShapeError(
      'scatterAdd',
      `index ${fmtShape(index.shape)} must fit inside src ${fmtShape(src.shape)} and, outside axis ${ax}, inside x ${fmtShape(x.shape)}`,
    );
  }
  const out = contiguousCopy(x);
  if (index.size > 0)
    disposeOnThrow(out, () => backend.scatterAdd(out, ax, index, rawView(src, index.shape, src.strides)));
  record('scatterAdd', [x, index, src], { axis: ax }, out);
  return out;
}

/** One-hot encoding along a new last axis. Indices must lie in [0, numClasses). */
export function oneHot(indices: Tensor, numClasses: number, dtype: DType = 'int32'): Tensor {
  assertLive('oneHot', indices, 'indices');
  assertIndex('oneHot', indices);
  if (!Number.isInteger(numClasses) || numClasses <= 0)
    throw new ShapeError('oneHot', `numClasses must be a positive integer, got ${numClasses}`);
  indices.backend.checkIndexRange('oneHot', indices, 0, numClasses);
  return untracked(() => {
    const classes = arange(0, numClasses, 1, { dtype: 'int32', backend: indices.backend.name });
    const col = unsqueeze(indices, -1);
    const hit = eq(col, classes);
    const out = cast(hit, dtype);
    for (const t of [classes, col, hit]) t.dispose();
    return out;
  });
}
