/** CPU gather and scatterAdd along one axis, with bounds checks that name the offending index (../../index-range.ts). */
import type { View } from '../../backend.js';
import type { AnyTypedArray } from '../../dtype.js';
import { IndexError } from '../../errors.js';
import { indexMessage, rangeMessage } from '../../index-range.js';
import { forEachOffset } from './layout.js';

/** Strides of `v` with the given axis zeroed: the axis is addressed through the index instead. */
function withoutAxis(v: View, axis: number): number[] {
  return v.strides.map((s, i) => (i === axis ? 0 : s));
}

export function gather(x: View, axis: number, index: View, out: View): void {
  const X = x.storage.handle as AnyTypedArray;
  const I = index.storage.handle as Int32Array;
  const O = out.storage.handle as AnyTypedArray;
  const n = x.shape[axis]!;
  const step = x.strides[axis]!;
  const outStrides = out.strides;
  forEachOffset(
    index.shape,
    [withoutAxis(x, axis), index.strides, outStrides],
    [x.offset, index.offset, out.offset],
    ([xo, io, oo]) => {
      const i = I[io!]!;
      if (i < 0 || i >= n) throw new IndexError('gather', indexMessage(i, axis, n));
      O[oo!] = X[xo! + i * step]!;
    },
  );
}

export function scatterAdd(out: View, axis: number, index: View, src: View): void {
  const O = out.storage.handle as AnyTypedArray;
  const I = index.storage.handle as Int32Array;
  const S = src.storage.handle as AnyTypedArray;
  const n = out.shape[axis]!;
  const step = out.strides[axis]!;
  forEachOffset(
    index.shape,
    [withoutAxis(out, axis), index.strides, src.strides],
    [out.offset, index.offset, src.offset],
    ([oo, io, so]) => {
      const i = I[io!]!;
      if (i < 0 || i >= n) throw new IndexError('scatterAdd', indexMessage(i, axis, n));
      O[oo! + i * step]! += S[so!]!;
    },
  );
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
