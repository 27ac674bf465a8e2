/** CPU gather and scatterAdd along one axis, with bounds checks that name the offending index (../../index-range.ts). */
import type { View } from '../../backend.js';
import type { AnyTypedArray } from '../../dtype.js';
import { IndexError } from '../../errors.js';
import { indexMessage, rangeMessage } from '../../index-range.js';
import { forEachOffset } from './layout.js';

/**
 * gather and scatterAdd are one walk over the positions of `index`. At each, the index value i (checked to lie
 * in [0, size of `indexed` along axis), else IndexError(op)) selects the element of `indexed` at i along the
 * axis and at the position's other coordinates; gather copies it to `other` at the position, scatterAdd adds
 * `other`'s element at the position into it.
 */
function walkSelected(
  op: 'gather' | 'scatterAdd',
  indexed: View,
  axis: number,
  index: View,
  other: View,
): void {
  const X = indexed.storage.handle as AnyTypedArray;
  const I = index.storage.handle as Int32Array;
  const Y = other.storage.handle as AnyTypedArray;
  const add = op === 'scatterAdd';
  const n = indexed.shape[axis]!;
  const step = indexed.strides[axis]!;
  // The axis is addressed through the index, so the walk gives it stride 0.
  const strides = indexed.strides.map((s, i) => (i === axis ? 0 : s));
  forEachOffset(
    index.shape,
    [strides, index.strides, other.strides],
    [indexed.offset, index.offset, other.offset],
    ([base, io, yo]) => {
      const i = I[io!]!;
      if (i < 0 || i >= n) throw new IndexError(op, indexMessage(i, axis, n));
      if (add) X[base! + i * step]! += Y[yo!]!;
      else Y[yo!] = X[base! + i * step]!;
    },
  );
}

export function gather(x: View, axis: number, index: View, out: View): void {
  walkSelected('gather', x, axis, index, out);
}

export function scatterAdd(out: View, axis: number, index: View, src: View): void {
  walkSelected('scatterAdd', out, axis, index, src);
}

export function checkIndexRange(op: string, index: View, low: number, high: number, what = 'index'): void {
  const I = index.storage.handle as Int32Array;
  let flat = 0;
  forEachOffset(index.shape, [index.strides], [index.offset], ([p]) => {
    const v = I[p!]!;
    if (v < low || v >= high) throw new IndexError(op, rangeMessage(low, high, what)(v, flat));
    flat++;
  });
}
