/**
 * Finite-difference checks (float64, CPU) of every VJP rule and of the composites built on them. Inputs keep
 * away from kinks (|x| near 0 for abs, ties for max) where the derivative is one-sided; ties are checked
 * exactly in rules.test.ts.
 */
import * as T from '@norga/tensor';
import { type Tensor, tensor } from '@norga/tensor';
import { describe, it } from 'vitest';
import { bceWithLogits, crossEntropy, mseLoss } from '../src/index.js';
import { gradcheck, rand64 } from './helpers/gradcheck.js';
import { expectNoLeaks } from './helpers/leaks.js';

const ex = T.expr;
const idx = (data: number[], shape?: number[]) =>
  tensor(data, { dtype: 'int32', shape: shape ?? [data.length] });
/** Values in ±[0.5, 1.5]: away from 0, for abs and sign-sensitive ops. */
const offZero = (shape: number[], seed: number) => {
  const a = rand64(shape, seed, 0.5, 1.5);
  const s = rand64(shape, seed + 100);
  const out = T.where(T.lt(s, 0), T.neg(a), a);
  a.dispose();
  s.dispose();
  return out;
};

interface Case {
  name: string;
  f: (...xs: Tensor[]) => Tensor;
  inputs: () => Tensor[];
  constants?: () => Tensor[];
}

const cases: Case[] = [
  // unary primitives
  { name: 'neg', f: (x) => T.neg(x), inputs: () => [rand64([3, 4], 1)] },
  { name: 'exp', f: (x) => T.exp(x), inputs: () => [rand64([3, 4], 2)] },
  { name: 'log', f: (x) => T.log(x), inputs: () => [rand64([3, 4], 3, 0.5, 2)] },
  { name: 'sqrt', f: (x) => T.sqrt(x), inputs: () => [rand64([3, 4], 4, 0.5, 2)] },
  { name: 'reciprocal', f: (x) => T.reciprocal(x), inputs: () => [offZero([3, 4], 5)] },
  { name: 'sin', f: (x) => T.sin(x), inputs: () => [rand64([5], 6, -3, 3)] },
  { name: 'cos', f: (x) => T.cos(x), inputs: () => [rand64([5], 7, -3, 3)] },
  { name: 'tanh', f: (x) => T.tanh(x), inputs: () => [rand64([5], 8, -2, 2)] },
  { name: 'erf', f: (x) => T.erf(x), inputs: () => [rand64([5], 9, -2, 2)] },
  { name: 'abs', f: (x) => T.abs(x), inputs: () => [offZero([2, 3], 10)] },
  // binary primitives, with broadcasting both ways
  {
    name: 'add broadcast',
    f: (a, b) => T.add(a, b),
    inputs: () => [rand64([2, 3, 4], 11), rand64([3, 1], 12)],
  },
  {
    name: 'sub broadcast',
    f: (a, b) => T.sub(a, b),
    inputs: () => [rand64([3, 1], 13), rand64([2, 1, 4], 14)],
  },
  { name: 'mul broadcast', f: (a, b) => T.mul(a, b), inputs: () => [rand64([2, 3, 4], 15), rand64([4], 16)] },
  {
    name: 'div broadcast',
    f: (a, b) => T.div(a, b),
    inputs: () => [rand64([2, 3], 17), offZero([2, 1], 18)],
  },
  {
    name: 'pow',
    f: (a, b) => T.pow(a, b),
    inputs: () => [rand64([2, 3], 19, 0.5, 2), rand64([3], 20, -2, 2)],
  },
  { name: 'pow scalar exponent', f: (a) => T.pow(a, 3), inputs: () => [rand64([4], 21)] },
  { name: 'maximum', f: (a, b) => T.maximum(a, b), inputs: () => [rand64([3, 4], 22), rand64([4], 23)] },
  { name: 'minimum', f: (a, b) => T.minimum(a, b), inputs: () => [rand64([3, 4], 24), rand64([3, 1], 25)] },
  { name: 'scalar operands', f: (a) => T.div(T.sub(2, T.mul(a, 3)), 4), inputs: () => [rand64([3], 26)] },
  {
    name: 'where broadcast',
    f: (a, b, c) => T.where(T.gt(c, 0), a, b),
    inputs: () => [rand64([2, 3], 27), rand64([3], 28)],
    constants: () => [rand64([2, 1], 29)],
  },
  // reductions
  { name: 'sum all', f: (x) => T.sum(x), inputs: () => [rand64([2, 3], 30)] },
  { name: 'sum axes keepdim', f: (x) => T.sum(x, [0, 2], true), inputs: () => [rand64([2, 3, 4], 31)] },
  { name: 'sum axis -1', f: (x) => T.sum(x, -1), inputs: () => [rand64([2, 3, 4], 32)] },
  { name: 'max axis', f: (x) => T.max(x, 1), inputs: () => [rand64([3, 5], 33)] },
  { name: 'max all', f: (x) => T.max(x), inputs: () => [rand64([3, 5], 34)] },
  { name: 'min axes keepdim', f: (x) => T.min(x, [0, 2], true), inputs: () => [rand64([2, 3, 4], 35)] },
  { name: 'mean', f: (x) => T.mean(x, 0), inputs: () => [rand64([4, 3], 36)] },
  { name: 'variance', f: (x) => T.variance(x, 1), inputs: () => [rand64([3, 5], 37)] },
  { name: 'logsumexp', f: (x) => T.logsumexp(x, 1), inputs: () => [rand64([3, 5], 38, -3, 3)] },
  // matmul, with 1-D promotion and batch broadcasting
  { name: 'matmul 2d', f: (a, b) => T.matmul(a, b), inputs: () => [rand64([3, 4], 40), rand64([4, 5], 41)] },
  {
    name: 'matmul batch @ 2d',
    f: (a, b) => T.matmul(a, b),
    inputs: () => [rand64([2, 3, 4], 42), rand64([4, 5], 43)],
  },
  {
    name: 'matmul 2d @ batch',
    f: (a, b) => T.matmul(a, b),
    inputs: () => [rand64([3, 4], 44), rand64([2, 4, 5], 45)],
  },
  {
    name: 'matmul broadcast batch',
    f: (a, b) => T.matmul(a, b),
    inputs: () => [rand64([2, 1, 3, 4], 46), rand64([3, 4, 2], 47)],
  },
  {
    name: 'matmul vec @ mat',
    f: (a, b) => T.matmul(a, b),
    inputs: () => [rand64([4], 48), rand64([4, 5], 49)],
  },
  {
    name: 'matmul mat @ vec',
    f: (a, b) => T.matmul(a, b),
    inputs: () => [rand64([3, 4], 50), rand64([4], 51)],
  },
  {
    name: 'matmul transposed operand',
    f: (a, b) => T.matmul(T.transpose(a, 0, 1), b),
    inputs: () => [rand64([4, 3], 52), rand64([4, 2], 53)],
  },
  // views
  { name: 'reshape', f: (x) => T.reshape(x, [3, 2, 2]), inputs: () => [rand64([2, 6], 60)] },
  { name: 'permute', f: (x) => T.permute(x, [2, 0, 1]), inputs: () => [rand64([2, 3, 4], 61)] },
  { name: 'expand', f: (x) => T.expand(x, [2, 3, 4]), inputs: () => [rand64([3, 1], 62)] },
  { name: 'slice step 1', f: (x) => T.slice(x, 1, 1, 4), inputs: () => [rand64([2, 5], 63)] },
  { name: 'slice step 2', f: (x) => T.slice(x, 0, 1, undefined, 2), inputs: () => [rand64([6, 2], 64)] },
  { name: 'slice step 3 ragged end', f: (x) => T.slice(x, 1, 0, 7, 3), inputs: () => [rand64([2, 7], 65)] },
  { name: 'slice negative start', f: (x) => T.slice(x, -1, -3), inputs: () => [rand64([2, 5], 66)] },
  {
    name: 'contiguous of permuted',
    f: (x) => T.contiguous(T.permute(x, [1, 0])),
    inputs: () => [rand64([3, 4], 67)],
  },
  {
    name: 'squeeze/unsqueeze/flatten',
    f: (x) => T.flatten(T.unsqueeze(T.squeeze(x, 1), 0)),
    inputs: () => [rand64([3, 1, 4], 68)],
  },
  { name: 'transpose', f: (x) => T.transpose(x, 0, 2), inputs: () => [rand64([2, 3, 4], 69)] },
  // joining and indexing
  {
    name: 'pad',
    f: (x) =>
      T.pad(
        x,
        [
          [1, 0],
          [2, 3],
        ],
        0.5,
      ),
    inputs: () => [rand64([2, 3], 70)],
  },
  {
    name: 'concat',
    f: (a, b, c) => T.concat([a, b, c], 1),
    inputs: () => [rand64([2, 1], 71), rand64([2, 3], 72), rand64([2, 2], 73)],
  },
  { name: 'concat same tensor twice', f: (a) => T.concat([a, a], 0), inputs: () => [rand64([2, 2], 74)] },
  { name: 'stack', f: (a, b) => T.stack([a, b], 1), inputs: () => [rand64([2, 3], 75), rand64([2, 3], 76)] },
  {
    name: 'split',
    f: (x) => {
      const [p, q] = T.split(x, [1, 3], 1);
      return T.mul(p!, T.sum(q!, 1, true));
    },
    inputs: () => [rand64([2, 4], 77)],
  },
  {
    name: 'gather with repeats',
    f: (x, i) => T.gather(x, 1, i!),
    inputs: () => [rand64([2, 4], 78)],
    constants: () => [idx([0, 3, 3, 1, 1, 1], [2, 3])],
  },
  {
    name: 'indexSelect',
    f: (x, i) => T.indexSelect(x, 0, i!),
    inputs: () => [rand64([4, 3], 79)],
    constants: () => [idx([3, 0, 3])],
  },
  {
    name: 'take',
    f: (x, i) => T.take(x, i!),
    inputs: () => [rand64([3, 3], 80)],
    constants: () => [idx([8, 0, 4, 4], [2, 2])],
  },
  {
    name: 'scatterAdd',
    f: (x, s, i) => T.scatterAdd(x, 0, i!, s),
    inputs: () => [rand64([3, 2], 81), rand64([4, 2], 82)],
    constants: () => [idx([0, 2, 2, 1, 0, 0, 1, 2], [4, 2])],
  },
  // composites
  { name: 'softmax', f: (x) => T.softmax(x, -1), inputs: () => [rand64([3, 5], 90, -2, 2)] },
  { name: 'softmax axis 0', f: (x) => T.softmax(x, 0), inputs: () => [rand64([4, 3], 91, -2, 2)] },
  { name: 'logSoftmax', f: (x) => T.logSoftmax(x, 1), inputs: () => [rand64([3, 5], 92, -2, 2)] },
  {
    name: 'attention, scale 0.8',
    f: (q, k, v) => T.attention(q, k, v, 0.8),
    inputs: () => [
      rand64([2, 5, 4], 120, -1.5, 1.5),
      rand64([2, 7, 4], 121, -1.5, 1.5),
      rand64([2, 7, 3], 122),
    ],
  },
  {
    name: 'attention, default scale, one head',
    f: (q, k, v) => T.attention(q, k, v),
    inputs: () => [rand64([3, 6], 123, -2, 2), rand64([4, 6], 124, -2, 2), rand64([4, 5], 125)],
  },
  {
    name: 'layerNorm affine',
    f: (x, w, b) => T.layerNorm(x, [4], w, b),
    inputs: () => [rand64([3, 4], 93), rand64([4], 94, 0.5, 1.5), rand64([4], 95)],
  },
  { name: 'layerNorm 2 dims', f: (x) => T.layerNorm(x, [2, 3]), inputs: () => [rand64([2, 2, 3], 96)] },
  { name: 'gelu exact', f: (x) => T.gelu(x), inputs: () => [rand64([7], 97, -3, 3)] },
  { name: 'gelu tanh', f: (x) => T.gelu(x, { approximate: 'tanh' }), inputs: () => [rand64([7], 98, -3, 3)] },
  { name: 'sigmoid', f: (x) => T.sigmoid(x), inputs: () => [rand64([6], 99, -4, 4)] },
  { name: 'relu', f: (x) => T.relu(x), inputs: () => [offZero([6], 100)] },
  { name: 'clamp', f: (x) => T.clamp(x, -0.5, 0.5), inputs: () => [rand64([8], 101, -1, 1)] },
  { name: 'square', f: (x) => T.square(x), inputs: () => [rand64([4], 102)] },
  // fused expressions, differentiated through their tree (shared sub-expressions, consts, where, cast)
  {
    name: 'fused expression',
    f: (a, b) => {
      const x = ex.input(0);
      const e = ex.bin(
        'mul',
        ex.un('exp', ex.bin('mul', x, ex.constant(0.5, 'float64'))),
        ex.un('tanh', ex.bin('add', x, ex.input(1))),
      );
      return T.fused(e, [a, b]);
    },
    inputs: () => [rand64([2, 3], 103), rand64([3], 104)],
  },
  {
    name: 'fused with where and compare',
    f: (a, b) => {
      const e = ex.select(
        ex.bin('cmplt', ex.input(0), ex.input(1)),
        ex.bin('mul', ex.input(0), ex.input(0)),
        ex.un('sin', ex.input(1)),
      );
      return T.fused(e, [a, b]);
    },
    inputs: () => [rand64([4], 105), rand64([4], 106)],
  },
  // losses (float64 end to end)
  {
    name: 'crossEntropy indices',
    f: (x, t) => crossEntropy(x, t!),
    inputs: () => [rand64([4, 5], 110, -2, 2)],
    constants: () => [idx([0, 4, 2, 2])],
  },
  {
    name: 'crossEntropy smoothing + ignore + sum',
    f: (x, t) => crossEntropy(x, t!, { labelSmoothing: 0.2, ignoreIndex: 1, reduction: 'sum' }),
    inputs: () => [rand64([4, 3], 111, -2, 2)],
    constants: () => [idx([0, 1, 2, 1])],
  },
  {
    name: 'crossEntropy probabilities + smoothing, none',
    f: (x, p) => crossEntropy(x, p!, { labelSmoothing: 0.1, reduction: 'none' }),
    inputs: () => [rand64([3, 4], 112, -2, 2)],
    constants: () => [T.softmax(rand64([3, 4], 113), 1)],
  },
  {
    name: 'crossEntropy [N,C,d]',
    f: (x, t) => crossEntropy(x, t!),
    inputs: () => [rand64([2, 3, 2], 114)],
    constants: () => [idx([0, 2, 1, 1], [2, 2])],
  },
  { name: 'mseLoss', f: (x, y) => mseLoss(x, y), inputs: () => [rand64([3, 2], 115), rand64([3, 2], 116)] },
  {
    name: 'bceWithLogits posWeight + weight',
    f: (x, y, pw, w) => bceWithLogits(x, y, { posWeight: pw!, weight: w! }),
    inputs: () => [rand64([3, 2], 117, -3, 3), rand64([3, 2], 118, 0, 1)],
    constants: () => [rand64([2], 119, 0.5, 2), rand64([3, 1], 120, 0.5, 2)],
  },
];

describe('finite differences (float64, cpu)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const inputs = c.inputs();
      const constants = c.constants?.() ?? [];
      expectNoLeaks(() => {
        // tidy disposes the cases' intermediates; the graph keeps its own handles on what backward needs.
        gradcheck((...xs) => T.tidy(() => c.f(...xs, ...constants)), inputs);
      });
      for (const t of [...inputs, ...constants]) t.dispose();
    });
  }
});
