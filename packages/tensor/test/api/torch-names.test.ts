/** The PyTorch names: values checked against what torch returns for the same inputs. */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  arange,
  IndexError,
  oneHot,
  ones,
  pad,
  rand,
  randn,
  reshape,
  rsqrt,
  ShapeError,
  select,
  tensor,
  tidy,
  transpose,
  zeros,
} from '../../src/index.js';

const read = (make: () => import('../../src/index.js').Tensor) =>
  tidy(() => {
    const t = make();
    return { shape: [...t.shape], values: t.toArraySyncCpu() };
  }) as unknown as { shape: number[]; values: unknown };

describe('PyTorch names', () => {
  it('rsqrt is 1/√x', () => {
    const v = tidy(() => Array.from(rsqrt(tensor([4, 0.25, 1])).dataSyncCpu())) as unknown as number[];
    expect(v).toEqual([0.5, 2, 1]);
    expect(() => tidy(() => rsqrt(tensor([1], { dtype: 'int32' })))).toThrow(/rsqrt: .*int32/);
  });
  it('select drops the axis, with negative indices from the end', () => {
    expect(
      read(() =>
        select(
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          1,
          -1,
        ),
      ),
    ).toEqual({ shape: [2], values: [3, 6] });
    expect(
      read(() =>
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]).select(0, 1),
      ),
    ).toEqual({ shape: [3], values: [4, 5, 6] });
    expect(() => tidy(() => select(tensor([1, 2]), 0, 2))).toThrow(IndexError);
  });
  it('view reshapes a contiguous tensor and refuses a strided one', () => {
    expect(read(() => arange(6).view([2, 3]))).toEqual({
      shape: [2, 3],
      values: [
        [0, 1, 2],
        [3, 4, 5],
      ],
    });
    expect(() => tidy(() => transpose(reshape(arange(6), [2, 3])).view([6]))).toThrow(
      /view: \[3,2\] with strides \[1,3\] is not contiguous; use reshape/,
    );
  });
  it('t transposes a matrix, keeps a vector, rejects rank 3', () => {
    expect(read(() => tensor([[1, 2, 3]]).t())).toEqual({ shape: [3, 1], values: [[1], [2], [3]] });
    expect(read(() => tensor([1, 2]).t())).toEqual({ shape: [2], values: [1, 2] });
    expect(() => tidy(() => zeros([1, 1, 1]).t())).toThrow(ShapeError);
  });
  it('numel is the element count', () => {
    const t = zeros([2, 3, 4]);
    expect(t.numel()).toBe(24);
    t.dispose();
  });
  it('pad with negative widths crops, as torch.nn.functional.pad', () => {
    // F.pad(torch.tensor([[1,2,3],[4,5,6]]), (-1, 1, 0, 0)) -> [[2,3,0],[5,6,0]] (last axis first in torch)
    expect(
      read(() =>
        pad(
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          [
            [0, 0],
            [-1, 1],
          ],
        ),
      ),
    ).toEqual({
      shape: [2, 3],
      values: [
        [2, 3, 0],
        [5, 6, 0],
      ],
    });
    expect(read(() => tensor([1, 2, 3, 4]).pad([[-1, -2]]))).toEqual({ shape: [1], values: [2] });
    expect(() => tidy(() => pad(tensor([1, 2]), [[-2, -1]]))).toThrow(/pad: widths \[-2, -1\] remove more/);
  });
  it('oneHot infers the class count from the largest index (torch num_classes=-1)', () => {
    expect(read(() => oneHot(tensor([0, 2], { dtype: 'int32' })))).toEqual({
      shape: [2, 3],
      values: [
        [1, 0, 0],
        [0, 0, 1],
      ],
    });
    expect(read(() => oneHot(tensor([1], { dtype: 'int32' }), 2))).toEqual({
      shape: [1, 2],
      values: [[0, 1]],
    });
  });
});

describe('shapes as PyTorch passes them', () => {
  it('zeros, ones, rand, randn take sizes as separate numbers', () => {
    expect(read(() => zeros(2, 3))).toEqual({
      shape: [2, 3],
      values: [
        [0, 0, 0],
        [0, 0, 0],
      ],
    });
    expect(read(() => ones(2))).toEqual({ shape: [2], values: [1, 1] });
    tidy(() => {
      expect(rand(4, 5).shape).toEqual([4, 5]);
      expect(randn(3).shape).toEqual([3]);
    });
  });
  it('anything else is an ArgumentError saying to pass an array', () => {
    // @ts-expect-error: a string is neither form
    expect(() => zeros('2,3')).toThrow(
      /zeros: shape must be an array of sizes, e\.g\. \[2, 3\]; got the string "2,3"/,
    );
    // @ts-expect-error: a shape array and then numbers
    expect(() => randn([2], 3, 4)).toThrow(ArgumentError);
    // @ts-expect-error: numbers then a string
    expect(() => ones(2, 'x')).toThrow(/ones: pass the shape as an array, ones\(\[2, 3\]\), or as numbers/);
  });
});

describe('arguments that are not tensors', () => {
  it('name the op, the argument and what it got', () => {
    const p = Promise.resolve(1);
    // @ts-expect-error: a Promise where a tensor belongs
    expect(() => tidy(() => ones([2]).add(p))).toThrow(
      /add: operand 2 must be a Tensor, got a Promise \(a missing await\?\)/,
    );
    // @ts-expect-error: an array
    expect(() => reshape([1, 2], [2])).toThrow(/reshape: x must be a Tensor, got an array of length 2/);
    // @ts-expect-error: null
    expect(() => tidy(() => ones([2]).matmul(null))).toThrow(/matmul: operand 2 must be a Tensor, got null/);
    // @ts-expect-error: a string
    expect(() => rsqrt('x')).toThrow(ArgumentError);
  });
  it('an allocation too large for a typed array is an AllocationError with the op, shape and bytes', () => {
    expect(() => zeros([1e6, 1e6])).toThrow(
      /zeros: cannot allocate \[1000000,1000000\] float32 \(1000000000000 elements, 4000000000000 bytes = 3\.6 TiB\) on cpu/,
    );
    expect(() => randn([1e6, 1e6])).toThrow(/randn: cannot allocate/);
  });
});
