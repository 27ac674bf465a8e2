/**
 * Elementwise ops by name, and the composites built from them. Only `unary`, `binary`, `where` and `cast` are
 * primitives; everything else here is composed, so autograd needs no extra rules for it.
 */
import type { Tensor, TensorLike } from '../tensor.js';
import { binary, requireFloat, unary, where } from './elementwise.js';

export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('pow', a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('max', a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('min', a, b);

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x);
export const sin = (x: Tensor): Tensor => unary('sin', x);
export const cos = (x: Tensor): Tensor => unary('cos', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const erf = (x: Tensor): Tensor => unary('erf', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);

export const lt = (a: TensorLike, b: TensorLike): Tensor => binary('cmplt', a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => binary('cmplt', b, a);
export const eq = (a: TensorLike, b: TensorLike): Tensor => binary('cmpeq', a, b);
/** a <= b as (a < b) or (a == b): false when either is NaN, as in IEEE and PyTorch. */
export function le(a: TensorLike, b: TensorLike): Tensor {
  const l = lt(a, b);
  const e = eq(a, b);
  try {
    return logicalOr(l, e);
  } finally {
    l.dispose();
    e.dispose();
  }
}
export const ge = (a: TensorLike, b: TensorLike): Tensor => le(b, a);
export function ne(a: TensorLike, b: TensorLike): Tensor {
  const e = eq(a, b);
  try {
    return logicalNot(e);
  } finally {
    e.dispose();
  }
}

export function logicalNot(x: Tensor): Tensor {
  const mask = x.dtype === 'bool' ? x : ne(x, 0);
  try {
    return binary('cmpeq', mask, 0);
  } finally {
    if (mask !== x) mask.dispose();
  }
}
/** Logical and/or are min/max over {0, 1}; other dtypes count non-zero as true and give bool, as PyTorch. */
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => onBools('min', a, b);
export const logicalOr = (a: Tensor, b: Tensor): Tensor => onBools('max', a, b);
function onBools(op: 'min' | 'max', a: Tensor, b: Tensor): Tensor {
  const ta = a.dtype === 'bool' ? a : ne(a, 0);
  const tb = b.dtype === 'bool' ? b : ne(b, 0);
  try {
    return binary(op, ta, tb);
  } finally {
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
}

export const square = (x: Tensor): Tensor => mul(x, x);

/** relu(x) = 0 where x <= 0 else x; the gradient at 0 is 0 and NaN stays NaN, as in PyTorch. */
export function relu(x: Tensor): Tensor {
  const nonPos = le(x, 0);
  try {
    return where(nonPos, 0, x);
  } finally {
    nonPos.dispose();
  }
}

/** Runs a chain of ops, disposing the intermediates (every value but the last). */
function chain(x: Tensor, ...steps: ((t: Tensor) => Tensor)[]): Tensor {
  let cur = x;
  for (const step of steps) {
    const next = step(cur);
    if (cur !== x) cur.dispose();
    cur = next;
  }
  return cur;
}

/** 1 / (1 + exp(-x)): exp(-x) overflows to inf for x << 0, giving exactly 0, never NaN. */
export function sigmoid(x: Tensor): Tensor {
  requireFloat('sigmoid', x);
  return chain(x, neg, exp, (t) => add(t, 1), reciprocal);
}

export interface GeluOptions {
  /** 'none' (default): exact, 0.5·x·(1 + erf(x/√2)). 'tanh': the approximation used by GPT-2 and some ViTs. */
  approximate?: 'none' | 'tanh';
}

export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  requireFloat('gelu', x);
  const inner =
    options.approximate === 'tanh'
      ? chain(
          x,
          (t) => mul(mul(t, t), t),
          (t) => mul(t, 0.044715),
          (t) => add(t, x),
          (t) => mul(t, Math.sqrt(2 / Math.PI)),
          tanh,
        )
      : chain(x, (t) => mul(t, Math.SQRT1_2), erf);
  const out = chain(
    inner,
    (t) => add(t, 1),
    (t) => mul(t, x),
    (t) => mul(t, 0.5),
  );
  inner.dispose();
  return out;
}

/**
 * Clamps into [min, max]. Values equal to a bound keep gradient 1 (as torch.clamp). NaN stays NaN.
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  x.assertLive('clamp');
  if (min === undefined && max === undefined) throw new TypeError('clamp: give at least one of min and max');
  let cur = x;
  if (min !== undefined) {
    const below = lt(cur, min);
    const next = where(below, min, cur);
    below.dispose();
    cur = next;
  }
  if (max !== undefined) {
    const above = gt(cur, max);
    const next = where(above, max, cur);
    above.dispose();
    if (cur !== x) cur.dispose();
    cur = next;
  }
  return cur;
}
