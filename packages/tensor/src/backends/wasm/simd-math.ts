/**
 * f32x4 exp, tanh and erf as WebAssembly instruction sequences (each takes one v128 from the stack and leaves
 * one), for the fused elementwise kernels. Accuracy is a few ulp of float32, inside the tolerance the suites
 * allow between tiers (the JS tier computes in doubles and rounds once).
 */
import { type Code, Simd, ValType } from './builder.js';

/**
 * exp: n = round(x·log2 e), r = x - n·ln 2 (two-part constant), e^r by Cephes' degree-6 polynomial, times
 * 2^n built in the exponent bits as 2^(n>>1)·2^(n-(n>>1)) so the tails (overflow to inf, gradual underflow
 * to 0) come out right without special cases. x is clamped to [-104, 89] first; NaN passes through.
 */
export function emitExp(c: Code): void {
  const x = c.local(ValType.v128);
  const fx = c.local(ValType.v128);
  const r = c.local(ValType.v128);
  const n = c.local(ValType.v128);
  const n1 = c.local(ValType.v128);
  c.f32x4Const(-104).simd(Simd.f32x4Max).f32x4Const(89).simd(Simd.f32x4Min).set(x);
  c.get(x).f32x4Const(Math.LOG2E).simd(Simd.f32x4Mul).simd(Simd.f32x4Nearest).set(fx);
  c.get(x).get(fx).f32x4Const(0.693359375).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub);
  c.get(fx).f32x4Const(-2.1219444e-4).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub).set(r);
  // y = ((((((p0 r + p1) r + p2) r + p3) r + p4) r + p5) r² + r + 1
  c.get(r).f32x4Const(1.98756915e-4).simd(Simd.f32x4Mul);
  for (const k of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1]) {
    c.f32x4Const(k).simd(Simd.f32x4Add).get(r).simd(Simd.f32x4Mul);
  }
  c.f32x4Const(5.0000001201e-1).simd(Simd.f32x4Add);
  c.get(r).get(r).simd(Simd.f32x4Mul).simd(Simd.f32x4Mul);
  c.get(r).simd(Simd.f32x4Add).f32x4Const(1).simd(Simd.f32x4Add);
  // × 2^(n>>1) × 2^(n - (n>>1))
  c.get(fx).simd(Simd.i32x4TruncSatF32x4S).set(n);
  c.get(n).i32Const(1).simd(Simd.i32x4ShrS).set(n1);
  c.get(n1).i32x4Const(127).simd(Simd.i32x4Add).i32Const(23).simd(Simd.i32x4Shl).simd(Simd.f32x4Mul);
  c.get(n).get(n1).simd(Simd.i32x4Sub).i32x4Const(127).simd(Simd.i32x4Add).i32Const(23).simd(Simd.i32x4Shl);
  c.simd(Simd.f32x4Mul);
}

const SIGN = -0x80000000;

/** Puts the sign of the v128 in local `from` onto the magnitude on the stack. */
function copySign(c: Code, from: number): void {
  const mag = c.local(ValType.v128);
  c.set(mag);
  c.get(from).get(mag).i32x4Const(SIGN).simd(Simd.v128Bitselect);
}

/**
 * tanh: |x| < 0.625 by Cephes' odd polynomial (no cancellation near 0); otherwise 1 - 2/(e^(2|x|) + 1) with
 * the sign of x (e^(2|x|) = inf gives exactly 1).
 */
export function emitTanh(c: Code): void {
  const x = c.local(ValType.v128);
  const z = c.local(ValType.v128);
  const small = c.local(ValType.v128);
  c.set(x);
  c.get(x).get(x).simd(Simd.f32x4Mul).set(z);
  // small = x + x z P(z)
  c.get(z).f32x4Const(-5.70498872745e-3).simd(Simd.f32x4Mul);
  for (const k of [2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1]) {
    c.f32x4Const(k).simd(Simd.f32x4Add).get(z).simd(Simd.f32x4Mul);
  }
  c.f32x4Const(-3.33332819422e-1).simd(Simd.f32x4Add);
  c.get(z).simd(Simd.f32x4Mul).get(x).simd(Simd.f32x4Mul).get(x).simd(Simd.f32x4Add).set(small);
  // large = copysign(1 - 2 / (exp(2|x|) + 1), x)
  c.f32x4Const(1).f32x4Const(2);
  c.get(x).simd(Simd.f32x4Abs).f32x4Const(2).simd(Simd.f32x4Mul);
  emitExp(c);
  c.f32x4Const(1).simd(Simd.f32x4Add).simd(Simd.f32x4Div).simd(Simd.f32x4Sub);
  copySign(c, x);
  // bitselect(small, large, |x| < 0.625)
  const large = c.local(ValType.v128);
  c.set(large);
  c.get(small).get(large);
  c.get(x).simd(Simd.f32x4Abs).f32x4Const(0.625).simd(Simd.f32x4Lt);
  c.simd(Simd.v128Bitselect);
}

/**
 * erf by the same formula as the JS tier's erf32 (Numerical Recipes' erfc: one exp and a degree-9
 * polynomial in t = 1/(1 + |x|/2)), in float32; below |x| = 0.5, where 1 - erfc would cancel in float32,
 * by its Maclaurin series to x^11 (truncation error < 2e-8).
 */
export function emitErf(c: Code): void {
  const x = c.local(ValType.v128);
  const z = c.local(ValType.v128);
  const t = c.local(ValType.v128);
  c.set(x);
  c.get(x).simd(Simd.f32x4Abs).set(z);
  c.f32x4Const(1)
    .f32x4Const(1)
    .get(z)
    .f32x4Const(0.5)
    .simd(Simd.f32x4Mul)
    .simd(Simd.f32x4Add)
    .simd(Simd.f32x4Div)
    .set(t);
  // poly = 1.00002368 + t (0.37409196 + t (... + t 0.17087277)), Horner from the innermost
  const coeffs = [
    1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
    0.17087277,
  ];
  c.get(t)
    .f32x4Const(coeffs[8] as number)
    .simd(Simd.f32x4Mul);
  for (let i = 7; i >= 1; i--)
    c.f32x4Const(coeffs[i] as number)
      .simd(Simd.f32x4Add)
      .get(t)
      .simd(Simd.f32x4Mul);
  c.f32x4Const(coeffs[0] as number)
    .simd(Simd.f32x4Add)
    .get(t)
    .simd(Simd.f32x4Mul);
  // exp(-z² - 1.26551223 + t·poly)
  c.get(z).get(z).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub).f32x4Const(1.26551223).simd(Simd.f32x4Sub);
  emitExp(c);
  c.get(t).simd(Simd.f32x4Mul);
  // 1 - erfc with the sign of x
  const erfc = c.local(ValType.v128);
  c.set(erfc);
  c.f32x4Const(1).get(erfc).simd(Simd.f32x4Sub);
  copySign(c, x);
  const large = c.local(ValType.v128);
  c.set(large);
  // series: 2/√π · x · (1 - x²/3 + x⁴/10 - x⁶/42 + x⁸/216 - x¹⁰/1320)
  const x2 = c.local(ValType.v128);
  c.get(x).get(x).simd(Simd.f32x4Mul).set(x2);
  c.get(x2)
    .f32x4Const(-1 / 1320)
    .simd(Simd.f32x4Mul);
  for (const k of [1 / 216, -1 / 42, 1 / 10, -1 / 3])
    c.f32x4Const(k).simd(Simd.f32x4Add).get(x2).simd(Simd.f32x4Mul);
  c.f32x4Const(1)
    .simd(Simd.f32x4Add)
    .get(x)
    .simd(Simd.f32x4Mul)
    .f32x4Const(2 / Math.sqrt(Math.PI))
    .simd(Simd.f32x4Mul);
  c.get(large);
  c.get(z).f32x4Const(0.5).simd(Simd.f32x4Lt);
  c.simd(Simd.v128Bitselect);
}
