/** Reductions: sum/max/min/argmax/argmin are kernels; mean, variance and logsumexp are composed. */
import type { ReduceOp } from '../backend.js';
import { record, untracked } from '../dispatch.js';
import { DTypeError, fmtShape, ShapeError } from '../errors.js';
import type { ReducePrimitive } from '../primitives.js';
import { normalizeAxes, normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast, requireFloat, where } from './elementwise.js';
import { abs, add, div, eq, exp, log, mul, sub } from './math.js';
import { filled } from './scalar.js';
import { assertLive, empty } from './util.js';
import { type Axes, reshape } from './views.js';

function reduce(op: ReduceOp, x: Tensor, axis: Axes | undefined, keepdim: boolean): Tensor {
  const name = op;
  assertLive(name, x, 'x');
  const axes = normalizeAxes(name, axis, x.rank);
  if (op !== 'sum' && axes.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(
      name,
      `cannot reduce a zero-size axis of ${fmtShape(x.shape)} (no identity for ${op})`,
    );
  }
  if (op === 'sum' && x.dtype === 'bool') {
    // Sum of a mask counts its true elements, as an int32 (PyTorch gives int64).
    const asInt = cast(x, 'int32');
    try {
      return reduce(op, asInt, axis, keepdim);
    } finally {
      asInt.dispose();
    }
  }
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outDType = op === 'argmax' || op === 'argmin' ? 'int32' : x.dtype;
  let out = empty(x.backend, outDType, kept);
  if (out.size > 0) {
    if (x.size === 0) x.backend.elementwise({ kind: 'const', value: 0, dtype: outDType }, [], out);
    else x.backend.reduce(op, x, axes, out);
  }
  if (!keepdim) {
    const squeezed = untracked(() =>
      reshape(
        out,
        kept.filter((_, i) => !axes.includes(i)),
      ),
    );
    out.dispose();
    out = squeezed;
  }
  const primitive: ReducePrimitive = `reduce.${op}`;
  record(primitive, [x], { axes, keepdim }, out);
  return out;
}

/** Sum over `axis` (a number, an array, or all axes when omitted); `keepdim` keeps reduced axes as size 1. */
export const sum = (x: Tensor, axis?: Axes, keepdim = false): Tensor => reduce('sum', x, axis, keepdim);
/** Maximum over `axis` (all when omitted); NaN propagates, as torch.amax. */
export const max = (x: Tensor, axis?: Axes, keepdim = false): Tensor => reduce('max', x, axis, keepdim);
/** Minimum over `axis` (all when omitted); NaN propagates, as torch.amin. */
export const min = (x: Tensor, axis?: Axes, keepdim = false): Tensor => reduce('min', x, axis, keepdim);

/** Index of the first maximum along `axis` (of the flattened tensor when axis is undefined); int32. */
export function argmax(x: Tensor, axis?: number, keepdim = false): Tensor {
  return argReduce('argmax', x, axis, keepdim);
}
/** Index of the minimum along `axis` (of the flattened tensor when omitted), int32; the first on ties. */
export function argmin(x: Tensor, axis?: number, keepdim = false): Tensor {
  return argReduce('argmin', x, axis, keepdim);
}
function argReduce(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepdim: boolean): Tensor {
  assertLive(op, x, 'x');
  if (x.dtype === 'bool') throw new DTypeError(op, `not defined for bool ${fmtShape(x.shape)}; cast first`);
  if (axis === undefined) {
    const flat = untracked(() => reshape(x, [-1]));
    try {
      const r = reduce(op, flat, 0, false);
      if (!keepdim) return r;
      const k = untracked(() =>
        reshape(
          r,
          x.shape.map(() => 1),
        ),
      );
      r.dispose();
      return k;
    } finally {
      flat.dispose();
    }
  }
  return reduce(op, x, normalizeAxis(op, axis, x.rank), keepdim);
}

function countOf(op: string, x: Tensor, axis: Axes | undefined): number {
  return normalizeAxes(op, axis, x.rank).reduce((p, a) => p * x.shape[a]!, 1);
}

/** Mean over `axis` (all when omitted); float dtypes only. */
export function mean(x: Tensor, axis?: Axes, keepdim = false): Tensor {
  requireFloat('mean', x);
  const n = countOf('mean', x, axis);
  const s = sum(x, axis, keepdim);
  try {
    return div(s, n);
  } finally {
    s.dispose();
  }
}

/** Options of variance: `correction` (1 = Bessel's, the default; 0 = population) and `keepdim`. */
export interface VarianceOptions {
  /** Bessel's correction: divide by N - correction (1 = unbiased, as torch.var's default). */
  correction?: number;
  keepdim?: boolean;
}

/** Variance over `axis` (all when omitted), as torch.var (method `.var`). */
export function variance(x: Tensor, axis?: Axes, options: VarianceOptions = {}): Tensor {
  requireFloat('var', x);
  const { correction = 1, keepdim = false } = options;
  const n = countOf('var', x, axis);
  const m = mean(x, axis, true);
  const d = sub(x, m);
  const d2 = mul(d, d);
  const s = sum(d2, axis, keepdim);
  try {
    // N - correction <= 0 gives inf/NaN, as PyTorch does.
    return div(s, Math.max(n - correction, 0));
  } finally {
    for (const t of [m, d, d2, s]) t.dispose();
  }
}

/**
 * log(sum(exp(x))) computed stably as m + log(sum(exp(x - m))) with m = max(x) held constant (the result
 * does not depend on m, so it carries no gradient). Infinite maxima are replaced by 0 so that all -inf rows
 * give -inf and +inf rows give +inf, as PyTorch.
 */
export function logsumexp(x: Tensor, axis?: Axes, keepdim = false): Tensor {
  requireFloat('logsumexp', x);
  const axes = normalizeAxes('logsumexp', axis, x.rank); // bad axes are reported here, not by the inner max
  const m = untracked(() => {
    // Over a zero-size axis there is no max (and no need for one): shift by 0, so the result is -inf as torch.
    if (axes.some((a) => x.shape[a] === 0)) {
      return filled(
        x.backend,
        x.dtype,
        x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
        0,
      );
    }
    const raw = max(x, axis, true);
    const magnitude = abs(raw);
    const inf = eq(magnitude, Number.POSITIVE_INFINITY);
    const safe = where(inf, 0, raw);
    for (const t of [raw, magnitude, inf]) t.dispose();
    return safe;
  });
  const shifted = sub(x, m);
  const e = exp(shifted);
  const s = sum(e, axis, keepdim);
  const l = log(s);
  const mk = keepdim ? m : untracked(() => reshape(m, l.shape));
  try {
    return add(l, mk);
  } finally {
    for (const t of [shifted, e, s, l, m]) t.dispose();
    if (mk !== m) mk.dispose();
  }
}
