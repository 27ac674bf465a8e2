/**
 * float32 exp, tanh and erf: one definition of the algorithms and their constants, for the CPU backend's two
 * tiers. The WebAssembly tier emits them as f32x4 instruction sequences (wasm/simd-math.ts); the JS tier runs
 * the scalar functions below, which round every step to float32 with Math.fround. Each step is a single IEEE
 * operation (+, -, ×, ÷, a comparison, a power of two), and a double operation on float32 operands rounded
 * once to float32 is exactly the float32 operation, so both tiers give the same bits for every input. That is
 * what makes the CPU backend's results independent of tensor size: which tier runs a kernel depends on size,
 * the numbers must not.
 */

const fr = Math.fround;

/** exp: clamp to [-104, 89], n = round(x·log2 e), r = x - n·ln 2 (two-part ln 2), Cephes' polynomial, × 2^n. */
export const EXP = {
  LO: -104,
  HI: 89,
  /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer (ties to even). */
  ROUNDER: 12582912,
  LN2_HI: 0.693359375,
  LN2_LO: -2.1219444e-4,
  /** p0 (degree 6) first; the polynomial is ((((p0 r + p1) r + p2) r + p3) r + p4) r + p5. */
  POLY: [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1],
} as const;

/** tanh: |x| < 0.625 by Cephes' odd polynomial x + x·z·P(z), z = x²; else 1 - 2/(e^(2|x|) + 1) with x's sign. */
export const TANH = {
  SMALL: 0.625,
  /** P's coefficients, highest degree first. */
  POLY: [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1],
} as const;

/**
 * erf from two polynomials fitted for float32 (scripts/erf-fit.py): x·P(x²) for |x| <= 1, Q(|x| - 2.465) with
 * x's sign for 1 < |x| < 3.93, ±1 beyond. Coefficients lowest degree first.
 */
export const ERF = {
  SMALL: [
    1.128379167, -3.761262988e-1, 1.128362573e-1, -2.685539946e-2, 5.191218397e-3, -8.034846849e-4,
    7.933494625e-5,
  ],
  LARGE: [
    9.995097931e-1, 2.591574226e-3, -6.389777939e-3, 9.636526461e-3, -9.735842678e-3, 6.709187785e-3,
    -2.947320291e-3, 4.773093851e-4, 3.778050725e-4, -2.989371508e-4, 5.298774051e-5, 2.485058363e-5,
    -9.117701294e-6,
  ],
  MID: 2.465,
  TOP: 3.93,
} as const;

// The constants as float32, as the WebAssembly tier's f32x4.const rounds them.
const E_LO = fr(EXP.LO);
const E_HI = fr(EXP.HI);
const LOG2E = fr(Math.LOG2E);
const ROUNDER = fr(EXP.ROUNDER);
const LN2_HI = fr(EXP.LN2_HI);
const LN2_LO = fr(EXP.LN2_LO);
const E_POLY = EXP.POLY.map(fr);
const T_SMALL = fr(TANH.SMALL);
const T_POLY = TANH.POLY.map(fr);
const ERF_SMALL = ERF.SMALL.map(fr);
const ERF_LARGE = ERF.LARGE.map(fr);
const ERF_MID = fr(ERF.MID);
const ERF_TOP = fr(ERF.TOP);

/** True where the sign bit of x is set (-0 included), as a bit select on the sign would see it. */
const signBit = (x: number): boolean => x < 0 || Object.is(x, -0);

export function exp32(x0: number): number {
  // the wasm tier clamps with pmax / pmin, x first: the same values as Math's (NaN passes, -0 stays -0)
  const x = Math.min(Math.max(x0, E_LO), E_HI);
  const t = fr(fr(x * LOG2E) + ROUNDER);
  const n = fr(t - ROUNDER); // exact: an integer in [-151, 129] (or NaN)
  let r = fr(x - fr(n * LN2_HI));
  r = fr(r - fr(n * LN2_LO));
  let y = fr(r * E_POLY[0]!);
  for (let i = 1; i < 5; i++) y = fr(fr(y + E_POLY[i]!) * r);
  y = fr(y + E_POLY[5]!);
  y = fr(fr(y * fr(r * r)) + r);
  y = fr(y + 1);
  // × 2^(n>>1) × 2^(n - (n>>1)): both factors are normal floats, so the first product is exact
  const n1 = n >> 1;
  return fr(fr(y * 2 ** n1) * 2 ** (n - n1));
}

export function tanh32(x: number): number {
  const z = fr(x * x);
  let p = fr(z * T_POLY[0]!);
  for (let i = 1; i < 4; i++) p = fr(fr(p + T_POLY[i]!) * z);
  p = fr(p + T_POLY[4]!);
  const small = fr(fr(fr(p * z) * x) + x);
  const large = fr(1 - fr(2 / fr(exp32(fr(Math.abs(x) * 2)) + 1)));
  // NaN compares false and takes `large`, which is NaN too
  return Math.abs(x) < T_SMALL ? small : signBit(x) ? -large : large;
}

function horner(coeffs: readonly number[], t: number): number {
  let acc = coeffs[coeffs.length - 1]!;
  for (let i = coeffs.length - 2; i >= 0; i--) acc = fr(fr(acc * t) + coeffs[i]!);
  return acc;
}

export function erf32(x: number): number {
  const z = Math.abs(x);
  // NaN compares false and takes `small`, which is NaN
  if (!(z > 1)) return fr(horner(ERF_SMALL, fr(x * x)) * x);
  const large = z < ERF_TOP ? horner(ERF_LARGE, fr(z - ERF_MID)) : 1;
  return signBit(x) ? -large : large;
}
