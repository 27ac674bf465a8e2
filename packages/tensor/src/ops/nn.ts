/** Neural-network composites: softmax, logSoftmax, layerNorm. Fused kernels may replace these later, tested against them. */
import { untracked } from '../dispatch.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { requireFloat } from './elementwise.js';
import { add, div, exp, log, mul, sqrt, sub } from './math.js';
import { max, mean, sum, variance } from './reduce.js';
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

export function softmax(x: Tensor, axis = -1): Tensor {
  requireFloat('softmax', x);
  const ax = normalizeAxis('softmax', axis, x.rank);
  const m = stableShift(x, ax);
  const shifted = sub(x, m);
  const e = exp(shifted);
  const s = sum(e, ax, true);
  try {
    return div(e, s);
  } finally {
    for (const t of [m, shifted, e, s]) t.dispose();
  }
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  requireFloat('logSoftmax', x);
  const ax = normalizeAxis('logSoftmax', axis, x.rank);
  const m = stableShift(x, ax);
  const shifted = sub(x, m);
  const e = exp(shifted);
  const s = sum(e, ax, true);
  const l = log(s);
  try {
    return sub(shifted, l);
  } finally {
    for (const t of [m, shifted, e, s, l]) t.dispose();
  }
}

/**
 * Layer normalisation over the trailing dims given by `normalizedShape` (as torch.nn.functional.layer_norm):
 * (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance.
 */
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
  const mu = mean(x, axes, true);
  const v = variance(x, axes, { correction: 0, keepdim: true });
  const centred = sub(x, mu);
  const ve = add(v, eps);
  const std = sqrt(ve);
  const normed = div(centred, std);
  const temps = [mu, v, centred, ve, std];
  let out = normed;
  if (weight) {
    temps.push(out);
    out = mul(out, weight);
  }
  if (bias) {
    temps.push(out);
    out = add(out, bias);
  }
  for (const t of temps) t.dispose();
  return out;
}
