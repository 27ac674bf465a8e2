/**
 * Neural-network ops: softmax, logSoftmax, layerNorm. Each runs as a few fused kernels and reductions (one pass
 * over memory per kernel) and is reported to autograd as one op with its own rule (as PyTorch's
 * _softmax / native_layer_norm), so the backward is the short closed form rather than the chain rule through
 * every kernel. Tested against the plain compositions of primitives they replace.
 */
import { record, untracked } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { fused, requireFloat } from './elementwise.js';
import type { Expr } from './expr.js';
import { arg } from './fluent.js';
import { div } from './math.js';
import { max, mean, sum } from './reduce.js';
import { filled } from './scalar.js';

/** The row maximum, as a constant: softmax(x - c) = softmax(x) for any c, so it carries no gradient. */
function stableShift(x: Tensor, axis: number): Tensor {
  // A zero-size axis has no max; any shift works (the result is empty), so use 0 as torch's empty softmax does.
  if (x.shape[axis] === 0)
    return filled(
      x.backend,
      x.dtype,
      x.shape.map((d, i) => (i === axis ? 1 : d)),
      0,
    );
  return untracked(() => max(x, axis, true));
}

/** exp(x - m): the shifted exponentials, one kernel. */
const EXP_SHIFTED = arg(0).sub(arg(1)).exp().expr;
/** x - m - log(s): log-softmax from the shift and the sum of shifted exponentials, one kernel. */
const LOG_SOFTMAX = arg(0).sub(arg(1)).sub(arg(2).log()).expr;

/**
 * softmax along `axis`: exp(x - max) / sum(exp(x - max)), in four kernels (max, shifted exp, sum, divide).
 * Reported to autograd as one op, 'softmax', whose rule is the textbook y·(g - sum(g·y)) rather than the
 * chain rule through the four kernels.
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  requireFloat('softmax', x);
  const ax = normalizeAxis('softmax', axis, x.rank);
  const out = untracked(() => {
    const m = stableShift(x, ax);
    const e = fused(EXP_SHIFTED, [x, m]);
    const s = sum(e, ax, true);
    try {
      return div(e, s);
    } finally {
      for (const t of [m, e, s]) t.dispose();
    }
  });
  record('softmax', [x], { axis: ax }, out);
  return out;
}

/** log(softmax(x)) computed stably as x - max - log(sum(exp(x - max))); reported as one op, 'logSoftmax'. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  requireFloat('logSoftmax', x);
  const ax = normalizeAxis('logSoftmax', axis, x.rank);
  const out = untracked(() => {
    const m = stableShift(x, ax);
    const e = fused(EXP_SHIFTED, [x, m]);
    const s = sum(e, ax, true);
    try {
      return fused(LOG_SOFTMAX, [x, m, s]);
    } finally {
      for (const t of [m, e, s]) t.dispose();
    }
  });
  record('logSoftmax', [x], { axis: ax }, out);
  return out;
}

/**
 * Layer normalisation over the trailing dims given by `normalizedShape` (as torch.nn.functional.layer_norm):
 * (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance.
 */
/** (x - mean)² */
const deviation = () => arg(0).sub(arg(1));
const SQUARED_DEVIATION = deviation().mul(deviation()).expr;

/** 1 / sqrt(sum of squared deviations / n + eps), on the small [.., 1] statistics tensor. */
function rstdExpr(n: number, eps: number, dtype: DType): Expr {
  return arg(0, dtype).div(n).add(eps).sqrt().reciprocal().expr;
}

/** (x - mean) · rstd, then · weight and + bias where given: inputs x, mean, rstd, [weight], [bias]. */
export function normalizeExpr(weight: boolean, bias: boolean): Expr {
  let e = arg(0).sub(arg(1)).mul(arg(2));
  if (weight) e = e.mul(arg(3));
  if (bias) e = e.add(arg(weight ? 4 : 3));
  return e.expr;
}

/** Layer normalisation over the trailing `normalizedShape` axes, with optional affine weight and bias (torch.nn.functional.layer_norm). */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: Tensor,
  bias?: Tensor,
  eps = 1e-5,
): Tensor {
  requireFloat('layerNorm', x);
  const k = normalizedShape.length;
  if (k === 0 || k > x.rank || normalizedShape.some((d, i) => d !== x.shape[x.rank - k + i])) {
    throw new ShapeError(
      'layerNorm',
      `normalizedShape ${fmtShape(normalizedShape)} must match the trailing dims of ${fmtShape(x.shape)}`,
    );
  }
  for (const [name, p] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (p && (p.rank !== k || p.shape.some((d, i) => d !== normalizedShape[i]))) {
      throw new ShapeError(
        'layerNorm',
        `${name} ${fmtShape(p.shape)} must have shape ${fmtShape(normalizedShape)}`,
      );
    }
    if (p && p.dtype !== x.dtype) {
      throw new DTypeError(
        'layerNorm',
        `${name} is ${p.dtype} ${fmtShape(p.shape)}, x is ${x.dtype} ${fmtShape(x.shape)}`,
      );
    }
  }
  const axes = normalizedShape.map((_, i) => x.rank - k + i);
  const n = normalizedShape.reduce((p, d) => p * d, 1);
  let mu: Tensor | undefined;
  let rstd: Tensor | undefined;
  const out = untracked(() => {
    mu = mean(x, axes, true);
    const d2 = fused(SQUARED_DEVIATION, [x, mu]);
    const ss = sum(d2, axes, true);
    d2.dispose();
    rstd = fused(rstdExpr(n, eps, x.dtype), [ss]);
    ss.dispose();
    const operands = [x, mu, rstd, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
    return fused(normalizeExpr(weight !== undefined, bias !== undefined), operands);
  });
  try {
    // The mean and 1/std travel in attrs so that the rule can save them instead of recomputing them.
    record(
      'layerNorm',
      [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])],
      { axes, eps, weight: weight !== undefined, bias: bias !== undefined, mean: mu, rstd },
      out,
    );
  } finally {
    mu?.dispose();
    rstd?.dispose();
  }
  return out;
}
