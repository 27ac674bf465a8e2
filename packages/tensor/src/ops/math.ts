/**
 * Elementwise ops by name, and the composites built from them. `unary`, `binary`, `where` and `cast` are the
 * primitives; composites (le, relu, sigmoid, gelu, clamp, ...) are expression trees over the same op table,
 * compiled into one fused kernel each (`composite`), so autograd needs no extra rules for them.
 */

import type { DType } from '../dtype.js';
import { TensorError } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { binary, composite, unary } from './elementwise.js';
import type { Ex } from './fluent.js';
import { assertLive, assertSameDType, commonBackend } from './util.js';

/** Elementwise a + b, broadcasting; a number operand takes the tensor's dtype (torch.add). */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
/** Elementwise a - b, broadcasting (torch.sub). */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
/** Elementwise a * b, broadcasting (torch.mul). */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
/** Elementwise a / b, broadcasting; float dtypes only (torch.div). */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
/** Elementwise a ** b, broadcasting; float dtypes only (torch.pow). */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('pow', a, b);
/** Elementwise maximum of a and b, broadcasting; NaN wins, as torch.maximum. */
export const maximum = (a: TensorLike, b: TensorLike): Tensor =>
  pair('maximum', a, b, () => binary('max', a, b));
/** Elementwise minimum of a and b, broadcasting; NaN wins, as torch.minimum. */
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
    if (typeof a !== 'number') assertLive(name, a, 'a');
    if (typeof b !== 'number') assertLive(name, b, 'b');
  }
  return relabel(name, fn);
}
function one(name: string, x: Tensor, fn: () => Tensor): Tensor {
  assertLive(name, x, 'x');
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

/** Elementwise -x. */
export const neg = (x: Tensor): Tensor => unary('neg', x);
/** Elementwise e^x. */
export const exp = (x: Tensor): Tensor => unary('exp', x);
/** Elementwise natural logarithm. */
export const log = (x: Tensor): Tensor => unary('log', x);
/** log(1 + x), accurate for tiny x (as torch.log1p). */
export const log1p = (x: Tensor): Tensor => unary('log1p', x);
/** Elementwise square root. */
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
/** Elementwise 1 / x. */
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x);
/** Elementwise sine. */
export const sin = (x: Tensor): Tensor => unary('sin', x);
/** Elementwise cosine. */
export const cos = (x: Tensor): Tensor => unary('cos', x);
/** Elementwise hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
/** Elementwise Gauss error function. */
export const erf = (x: Tensor): Tensor => unary('erf', x);
/** Elementwise |x|. */
export const abs = (x: Tensor): Tensor => unary('abs', x);

/** Elementwise a < b as a bool tensor, broadcasting. */
export const lt = (a: TensorLike, b: TensorLike): Tensor => pair('lt', a, b, () => binary('cmplt', a, b));
/** Elementwise a > b as a bool tensor, broadcasting. */
export const gt = (a: TensorLike, b: TensorLike): Tensor => pair('gt', a, b, () => binary('cmplt', b, a));
/** Elementwise a == b as a bool tensor, broadcasting. */
export const eq = (a: TensorLike, b: TensorLike): Tensor => pair('eq', a, b, () => binary('cmpeq', a, b));
const ALL: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];
const FLOATS: readonly DType[] = ['float32', 'float64'];
const NUMERIC: readonly DType[] = ['float32', 'float64', 'int32'];
/** a <= b as (a < b) or (a == b): false when either is NaN, as in IEEE and PyTorch. */
const lessOrEqual = (a: Ex, b: Ex | number): Ex => a.cmplt(b).max(a.cmpeq(b));

/** Elementwise a <= b as a bool tensor, broadcasting (false when either is NaN). */
export const le = (a: TensorLike, b: TensorLike): Tensor =>
  pair('le', a, b, () => composite('le', [a, b], ALL, lessOrEqual));
/** Elementwise a >= b as a bool tensor, broadcasting (false when either is NaN). */
export const ge = (a: TensorLike, b: TensorLike): Tensor =>
  pair('ge', a, b, () => composite('ge', [b, a], ALL, lessOrEqual));
/** Elementwise a != b as a bool tensor, broadcasting. */
export const ne = (a: TensorLike, b: TensorLike): Tensor =>
  pair('ne', a, b, () => composite('ne', [a, b], ALL, (x, y) => x.cmpeq(y).cmpeq(0)));

/** x == 0: true where x is false (bool) or zero (numbers). */
export const logicalNot = (x: Tensor): Tensor => composite('logicalNot', [x], ALL, (x) => x.cmpeq(0));
/** Logical and/or are min/max over {0, 1}; other dtypes count non-zero as true and give bool, as PyTorch. */
export const logicalAnd = (a: Tensor, b: Tensor): Tensor =>
  pair('logicalAnd', a, b, () => onBools('min', a, b), false);
/** Elementwise a || b as a bool tensor; non-bool operands count as true where non-zero. */
export const logicalOr = (a: Tensor, b: Tensor): Tensor =>
  pair('logicalOr', a, b, () => onBools('max', a, b), false);
function onBools(op: 'min' | 'max', a: Tensor, b: Tensor): Tensor {
  // Operands may have different dtypes here, so each is reduced to a mask on its own first.
  const ta = a.dtype === 'bool' ? a : ne(a, 0);
  const tb = b.dtype === 'bool' ? b : ne(b, 0);
  try {
    return binary(op, ta, tb);
  } finally {
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
  }
}

/** Elementwise x * x. */
export const square = (x: Tensor): Tensor => composite('square', [x], NUMERIC, (x) => x.mul(x));

/** relu(x) = 0 where x <= 0 else x; the gradient at 0 is 0 and NaN stays NaN, as in PyTorch. */
export const relu = (x: Tensor): Tensor =>
  composite('relu', [x], NUMERIC, (x) => lessOrEqual(x, 0).where(0, x));

/** exp(-|x|), which lies in [0, 1] for every x. */
const expNegAbs = (x: Ex): Ex => x.abs().neg().exp();

/**
 * exp(min(x, 0)) / (1 + exp(-|x|)): 1/(1 + e^-x) for x >= 0, e^x/(1 + e^x) below. Both exponentials lie in
 * [0, 1], so no step of the value or of its gradient (derived from this tree by autograd) meets an infinity:
 * 1/(1 + exp(-x)) had exp(-x) = inf for x <= -89 and a gradient of (-0)·inf = NaN there. Small values keep
 * their relative precision (e^x, not 1 - something). At 0 the gradient is 0.25 exactly: min's tie rule gives
 * half of exp's 1, and |x|'s derivative at 0 is 0. NaN stays NaN; sigmoid(±inf) is 1 or 0 with gradient 0.
 */
export const sigmoid = (x: Tensor): Tensor =>
  composite('sigmoid', [x, 1], FLOATS, (x, one) => {
    const expMin = x.min(0).exp();
    return expMin.div(one.add(expNegAbs(x)));
  });

/** log1p(exp(-|x|)): the part of softplus that never overflows (exp(-|x|) lies in [0, 1]). */
const softTail = (x: Ex): Ex => expNegAbs(x).log1p();

/** Options of softplus: `beta` and `threshold`, as torch.nn.functional.softplus. */
export interface SoftplusOptions {
  /** β in log(1 + exp(β·x))/β (default 1). */
  beta?: number;
  /** Above β·x > threshold the result is x itself, as torch.nn.functional.softplus (default 20). */
  threshold?: number;
}

/**
 * softplus(x) = log(1 + exp(β·x))/β, computed as (max(β·x, 0) + log1p(exp(-|β·x|)))/β: no step overflows (the old
 * log(1 + exp(x)) is inf above 88) and tiny results keep their precision (log1p). Gradient sigmoid(β·x), 0.5 at 0
 * (max's tie rule), and exactly 0 / 1 at ∓inf. Above the threshold it is x, as PyTorch.
 */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  const { beta = 1, threshold = 20 } = options;
  return composite('softplus', [x, beta, threshold], FLOATS, (x, b, t) => {
    const bx = x.mul(b);
    return t.cmplt(bx).where(x, bx.max(0).add(softTail(bx)).div(b));
  });
}

/**
 * log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): finite for every finite x (log of a sigmoid that rounded to
 * 0 would be -inf below -88), -inf at -inf with gradient 1, 0 at +inf with gradient 0, as torch's logsigmoid.
 */
export const logSigmoid = (x: Tensor): Tensor =>
  composite('logSigmoid', [x], FLOATS, (x) => x.min(0).sub(softTail(x)));

/** Options of gelu: `approximate` is `'none'` (erf, the default) or `'tanh'`. */
export interface GeluOptions {
  /** 'none' (default): exact, 0.5·x·(1 + erf(x/√2)). 'tanh': the approximation used by GPT-2 and some ViTs. */
  approximate?: 'none' | 'tanh';
}

/** Gaussian error linear unit, exact (erf) or with `{approximate: 'tanh'}` (torch.nn.functional.gelu). */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  if (options.approximate === 'tanh') {
    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    return composite('gelu', [x, 0.5, 1, 0.044715, Math.sqrt(2 / Math.PI)], FLOATS, (x, half, one, c, k) =>
      half.mul(x).mul(one.add(k.mul(x.add(c.mul(x.mul(x).mul(x)))).tanh())),
    );
  }
  return composite('gelu', [x, 0.5, 1], FLOATS, (x, half, one) =>
    half.mul(x).mul(one.add(x.mul(Math.SQRT1_2).erf())),
  );
}

/**
 * Clamps into [min, max]. Values equal to a bound keep gradient 1 (as torch.clamp). NaN stays NaN.
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (min === undefined && max === undefined) throw new TypeError('clamp: give at least one of min and max');
  return one('clamp', x, () => clampOf(x, min, max));
}
/** where(x < min, min, where(max < x, max, x)): a comparison that is false for NaN leaves x as it is. */
function clampOf(x: Tensor, min?: number, max?: number): Tensor {
  if (min !== undefined && max !== undefined) {
    return composite('clamp', [x, min, max], NUMERIC, (x, lo, hi) =>
      x.cmplt(lo).where(lo, hi.cmplt(x).where(hi, x)),
    );
  }
  if (min !== undefined) return composite('clamp', [x, min], NUMERIC, (x, lo) => x.cmplt(lo).where(lo, x));
  return composite('clamp', [x, max!], NUMERIC, (x, hi) => hi.cmplt(x).where(hi, x));
}
