#!/usr/bin/env node
/**
 * Tour stop 1: a Tensor is a view. reshape, transpose and expand write a new {shape, strides, offset} over the
 * same storage; only contiguous() (or an op's output) allocates. Run: node examples/tour/01-views.mjs
 */
import { arange } from '@norga/tensor';

const x = arange(6).reshape([2, 3]); // [[0, 1, 2], [3, 4, 5]]
const xt = x.t(); // the transpose: strides swapped, no copy
const row = x.select(0, 1); // [3, 4, 5]: offset 3 into the same storage
const wide = row.reshape([1, 3]).expand([4, 3]); // stride 0 along the new axis: 4 rows, still 6 numbers stored
const dense = xt.contiguous(); // the one copy: a fresh storage in row-major order

export const views = {
  strides: x.strides,
  transposedStrides: xt.strides,
  rowOffset: row.offset,
  expandedStrides: wide.strides,
  sharesStorage: xt.storage === x.storage && wide.storage === x.storage,
  copyHasOwnStorage: dense.storage !== x.storage,
  transposed: await xt.toArray(),
  denseStrides: dense.strides,
};

console.log(x.toString());
console.log('x.strides', x.strides, ' x.t().strides', xt.strides, ' x.select(0, 1).offset', row.offset);
console.log('expand to [4, 3] strides', wide.strides, ' same storage:', views.sharesStorage);
console.log('x.t().contiguous() strides', dense.strides, ' own storage:', views.copyHasOwnStorage);
