/**
 * f32x4 exp, tanh and erf as WebAssembly instruction sequences (each takes one v128 from the stack and leaves
 * one), for the fused elementwise kernels. The algorithms and constants are defined once in ../f32-math.ts, whose
 * scalar functions the JS tier runs: every step here is the same float32 operation as a step there, so the two
 * tiers give the same bits (tested in test/wasm/simd-math.test.ts).
 */
import { ERF, EXP, TANH } from '../f32-math.js';
import { type Code, Simd, ValType } from './builder.js';

/** pmin(a, b) = b < a ? b : a and pmax(a, b) = a < b ? b : a: x64's minps/maxps, unlike f32x4.min/max. */
const F32X4_PMIN = 0xea;
const F32X4_PMAX = 0xeb;
/** 1.5·2^23 (EXP.ROUNDER) as the bits of a float32. */
const ROUNDER = EXP.ROUNDER;
const ROUNDER_BITS = 0x4b400000;

/**
 * exp: n = round(x·log2 e), r = x - n·ln 2 (two-part constant), e^r by Cephes' degree-6 polynomial, times
 * 2^n built in the exponent bits as 2^(n>>1)·2^(n-(n>>1)) so the tails (overflow to inf, gradual underflow
 * to 0) come out right without special cases. x is clamped to [-104, 89] first; NaN passes through.
 */
export function emitExp(c: Code): void {
  const x = c.local(ValType.v128);
  const t = c.local(ValType.v128);
  const fx = c.local(ValType.v128);
  const r = c.local(ValType.v128);
  const n = c.local(ValType.v128);
  const n1 = c.local(ValType.v128);
  // clamp by pmax/pmin with x first: one instruction each on x64, and a NaN x passes through
  c.f32x4Const(EXP.LO).simd(F32X4_PMAX).f32x4Const(EXP.HI).simd(F32X4_PMIN).set(x);
  // round x·log2 e to an integer by adding 1.5·2^23 (the mantissa drops the fraction, ties to even, as
  // f32x4.nearest does); the integer is then that float's low bits: no float-to-int conversion
  c.get(x).f32x4Const(Math.LOG2E).simd(Simd.f32x4Mul).f32x4Const(ROUNDER).simd(Simd.f32x4Add).set(t);
  c.get(t).f32x4Const(ROUNDER).simd(Simd.f32x4Sub).set(fx);
  c.get(t).i32x4Const(ROUNDER_BITS).simd(Simd.i32x4Sub).set(n);
  c.get(x).get(fx).f32x4Const(EXP.LN2_HI).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub);
  c.get(fx).f32x4Const(EXP.LN2_LO).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub).set(r);
  // y = ((((((p0 r + p1) r + p2) r + p3) r + p4) r + p5) r² + r + 1
  c.get(r).f32x4Const(EXP.POLY[0]).simd(Simd.f32x4Mul);
  for (const k of EXP.POLY.slice(1, 5)) {
    c.f32x4Const(k).simd(Simd.f32x4Add).get(r).simd(Simd.f32x4Mul);
  }
  c.f32x4Const(EXP.POLY[5]).simd(Simd.f32x4Add);
  c.get(r).get(r).simd(Simd.f32x4Mul).simd(Simd.f32x4Mul);
  c.get(r).simd(Simd.f32x4Add).f32x4Const(1).simd(Simd.f32x4Add);
  // × 2^(n>>1) × 2^(n - (n>>1))
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
  c.get(z).f32x4Const(TANH.POLY[0]).simd(Simd.f32x4Mul);
  for (const k of TANH.POLY.slice(1, 4)) {
    c.f32x4Const(k).simd(Simd.f32x4Add).get(z).simd(Simd.f32x4Mul);
  }
  c.f32x4Const(TANH.POLY[4]).simd(Simd.f32x4Add);
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
  c.get(x).simd(Simd.f32x4Abs).f32x4Const(TANH.SMALL).simd(Simd.f32x4Lt);
  c.simd(Simd.v128Bitselect);
}

/**
 * erf from two polynomials fitted for float32 (scripts/erf-fit.py prints them and their error): x·P(x²) for
 * |x| <= 1, Q(|x| - 2.465) with the sign of x for 1 < |x| < 3.93, and ±1 beyond (where erf rounds to 1 in
 * float32). Within 3 ulp, with neither a division nor an exp: about half the work of erfc-based formulas,
 * which matters because gelu is erf. NaN takes the first branch and propagates.
 */
const ERF_SMALL = ERF.SMALL;
const ERF_LARGE = ERF.LARGE;
const ERF_MID = ERF.MID;
const ERF_TOP = ERF.TOP;

/** Horner's rule for the polynomial with `coeffs` (lowest degree first) in the v128 of local `t`. */
function horner(c: Code, coeffs: readonly number[], t: number): void {
  c.f32x4Const(coeffs[coeffs.length - 1] as number);
  for (let i = coeffs.length - 2; i >= 0; i--) {
    c.get(t)
      .simd(Simd.f32x4Mul)
      .f32x4Const(coeffs[i] as number)
      .simd(Simd.f32x4Add);
  }
}

export function emitErf(c: Code): void {
  const x = c.local(ValType.v128);
  const z = c.local(ValType.v128);
  const t = c.local(ValType.v128);
  c.set(x);
  c.get(x).simd(Simd.f32x4Abs).set(z);
  // small = x · P(x²)
  c.get(x).get(x).simd(Simd.f32x4Mul).set(t);
  horner(c, ERF_SMALL, t);
  c.get(x).simd(Simd.f32x4Mul);
  const small = c.local(ValType.v128);
  c.set(small);
  // large = copysign(|x| < 3.93 ? Q(|x| - 2.465) : 1, x)
  c.get(z).f32x4Const(ERF_MID).simd(Simd.f32x4Sub).set(t);
  horner(c, ERF_LARGE, t);
  c.f32x4Const(1);
  c.get(z).f32x4Const(ERF_TOP).simd(Simd.f32x4Lt);
  c.simd(Simd.v128Bitselect);
  copySign(c, x);
  // bitselect(large, small, |x| > 1); NaN compares false and keeps small, which is NaN
  const large = c.local(ValType.v128);
  c.set(large);
  c.get(large).get(small);
  c.get(z).f32x4Const(1).simd(Simd.f32x4Gt);
  c.simd(Simd.v128Bitselect);
}
