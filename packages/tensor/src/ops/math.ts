/**
 * Elementwise ops by name, and the composites built from them. Only `unary`, `binary`, `where` and `cast` are
 * primitives; everything else here is composed, so autograd needs no extra rules for it.
 */
import { TensorError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { binary, requireFloat, unary, where } from './elementwise.js';
import { assertSameDType, commonBackend } from './util.js';

export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('pow', a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor =>
  pair('maximum', a, b, () => binary('max', a, b));
export const minimum = (a: TensorLike, b: TensorLike): Tensor =>
  pair('minimum', a, b, () => binary('min', a, b));

/**
 * Errors name the op the user called (`gt`, `maximum`), not the primitive it runs on (`cmplt`, `max`): operands
 * are checked in the user's order first, and errors from the primitives inside are relabelled.
 */
function pair(name: string, a: TensorLike, b: TensorLike, fn: () => Tensor, sameDType = true): Tensor {
  if (typeof a !== 'number' && typeof b !== 'number') {
    commonBackend(name, a, b);
    if (sameDType) assertSameDType(name, a, b);
    broadcastShapes(name, a.shape, b.shape);
  } else {
    for (const t of [a, b]) if (typeof t !== 'number') t.assertLive(name);
  }
  return relabel(name, fn);
}
function one(name: string, x: Tensor, fn: () => Tensor): Tensor {
  x.assertLive(name);
  return relabel(name, fn);
}
function relabel(name: string, fn: () => Tensor): Tensor {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TensorError && e.op !== name) {
      const Ctor = e.constructor as new (op: string, message: string) => TensorError;
      throw new Ctor(name, e.message.slice(e.op.length + 2));
    }
    throw e;
  }
}

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

export const lt = (a: TensorLike, b: TensorLike): Tensor => pair('lt', a, b, () => binary('cmplt', a, b));
export const gt = (a: TensorLike, b: TensorLike): Tensor => pair('gt', a, b, () => binary('cmplt', b, a));
export const eq = (a: TensorLike, b: TensorLike): Tensor => pair('eq', a, b, () => binary('cmpeq', a, b));
export const le = (a: TensorLike, b: TensorLike): Tensor => pair('le', a, b, () => lessOrEqual(a, b));
export const ge = (a: TensorLike, b: TensorLike): Tensor => pair('ge', a, b, () => lessOrEqual(b, a));
export const ne = (a: TensorLike, b: TensorLike): Tensor => pair('ne', a, b, () => notEqual(a, b));
/** a <= b as (a < b) or (a == b): false when either is NaN, as in IEEE and PyTorch. */
function lessOrEqual(a: TensorLike, b: TensorLike): Tensor {
  const l = lt(a, b);
  const e = eq(a, b);
  try {
    return logicalOr(l, e);
  } finally {
    l.dispose();
    e.dispose();
  }
}
function notEqual(a: TensorLike, b: TensorLike): Tensor {
  const e = eq(a, b);
  try {
    return logicalNot(e);
  } finally {
    e.dispose();
  }
}

export const logicalNot = (x: Tensor): Tensor => one('logicalNot', x, () => logicalNotOf(x));
function logicalNotOf(x: Tensor): Tensor {
  const mask = x.dtype === 'bool' ? x : ne(x, 0);
  try {
    return binary('cmpeq', mask, 0);
  } finally {
    if (mask !== x) mask.dispose();
  }
}
/** Logical and/or are min/max over {0, 1}; other dtypes count non-zero as true and give bool, as PyTorch. */
export const logicalAnd = (a: Tensor, b: Tensor): Tensor =>
  pair('logicalAnd', a, b, () => onBools('min', a, b), false);
export const logicalOr = (a: Tensor, b: Tensor): Tensor =>
  pair('logicalOr', a, b, () => onBools('max', a, b), false);
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

export const square = (x: Tensor): Tensor => one('square', x, () => mul(x, x));

/** relu(x) = 0 where x <= 0 else x; the gradient at 0 is 0 and NaN stays NaN, as in PyTorch. */
export const relu = (x: Tensor): Tensor => one('relu', x, () => reluOf(x));
function reluOf(x: Tensor): Tensor {
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
  if (min === undefined && max === undefined) throw new TypeError('clamp: give at least one of min and max');
  return one('clamp', x, () => clampOf(x, min, max));
}
function clampOf(x: Tensor, min?: number, max?: number): Tensor {
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
