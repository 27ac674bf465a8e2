/**
 * Initialisers, as torch.nn.init (in place, trailing underscore) and timm's trunc_normal_. Random numbers come
 * from `@norga/tensor`'s global seeded generator (manualSeed), on the tensor's own backend.
 */
import {
  add,
  erfScalar,
  log,
  lt,
  maximum,
  minimum,
  mul,
  neg,
  rand,
  randn,
  sqrt,
  sub,
  type Tensor,
  tidy,
  where,
} from '@norga/tensor';
import { assign_ } from '../engine/assign.js';
import { noGrad } from '../engine/mode.js';
import { describe, GradError } from '../errors.js';

function fill(t: Tensor, make: () => Tensor): Tensor {
  noGrad(() =>
    tidy(() => {
      assign_(t, make());
    }),
  );
  return t;
}

const opts = (t: Tensor) => ({ dtype: t.dtype, backend: t.backend.name });

/** Fills t with `value` in place; returns t. */
export function constant_(t: Tensor, value: number): Tensor {
  noGrad(() => assign_(t, value));
  return t;
}
/** Fills t with 0 in place; returns t. */
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
/** Fills t with 1 in place; returns t. */
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** Uniform on [low, high). */
export function uniform_(t: Tensor, low = 0, high = 1): Tensor {
  return fill(t, () => add(mul(rand(t.shape, opts(t)), high - low), low));
}

/** Fills t in place from N(mean, std²) (global seeded generator); returns t. */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return fill(t, () => add(mul(randn(t.shape, opts(t)), std), mean));
}

/**
 * The inverse error function, elementwise, by Giles' single-precision approximation ("Approximating the
 * erfinv function", 2010): two polynomials in w = -log(1 - x²), relative error about 1e-7 on (-1, 1).
 */
export function erfinv(x: Tensor): Tensor {
  return tidy(() => {
    const w = neg(log(mul(sub(1, x), add(x, 1))));
    const poly = (z: Tensor, cs: readonly number[]) =>
      cs.slice(1).reduce((p, c) => add(mul(p, z), c), add(mul(z, 0), cs[0]!));
    const central = poly(
      sub(w, 2.5),
      [
        2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503,
        -0.00417768164, 0.246640727, 1.50140941,
      ],
    );
    const tail = poly(
      sub(sqrt(w), 3),
      [
        -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
        0.00943887047, 1.00167406, 2.83297682,
      ],
    );
    return mul(where(lt(w, 5), central, tail), x);
  });
}

const normCdf = (x: number) => (1 + erfScalar(x / Math.SQRT2)) / 2;

/** Options of truncNormal_: mean, std and the absolute bounds a, b (timm's defaults: 0, 1, -2, 2). */
export interface TruncNormalOptions {
  mean?: number;
  std?: number;
  /** Lower cut-off, in absolute units (timm's convention: a = -2 means -2, not -2 std). */
  a?: number;
  b?: number;
}

/**
 * Normal(mean, std) truncated to [a, b], by inverting the CDF as timm's trunc_normal_ does: uniform between
 * the CDF values of a and b, mapped back through erfinv, then clamped against rounding.
 */
export function truncNormal_(t: Tensor, options: TruncNormalOptions = {}): Tensor {
  const { mean = 0, std = 1, a = -2, b = 2 } = options;
  if (!(a < b)) throw new GradError('truncNormal_', `needs a < b, got [${a}, ${b}]`);
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  return fill(t, () => {
    const v = add(mul(rand(t.shape, opts(t)), 2 * u - 2 * l), 2 * l - 1);
    const z = add(mul(erfinv(v), std * Math.SQRT2), mean);
    return minimum(maximum(z, a), b);
  });
}

/** fan_in and fan_out as PyTorch computes them: dims 1 and 0, times the receptive field (dims 2...). */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.rank < 2) throw new GradError('fans', `fan in and fan out need at least 2 dims, got ${describe(t)}`);
  const receptive = t.shape.slice(2).reduce((p, d) => p * d, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

/** The activations calculateGain knows (torch.nn.init names). */
export type Nonlinearity = 'linear' | 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** torch.nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
  }
}

/** Glorot uniform init in place: U(-a, a) with a = gain·√(6/(fanIn + fanOut)); returns t. */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}

/** Glorot normal init in place: N(0, gain²·2/(fanIn + fanOut)); returns t. */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** Options of the Kaiming initialisers: negative slope `a`, `mode` (fanIn or fanOut) and `nonlinearity`. */
export interface KaimingOptions {
  /** Negative slope of leaky_relu (default 0). */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const { fanIn, fanOut } = fans(t);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
}

/** He uniform init in place (torch.nn.init.kaiming_uniform_); returns t. */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform_(t, -bound, bound);
}

/** He normal init in place (torch.nn.init.kaiming_normal_); returns t. */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, options));
}
