/**
 * WGSL building blocks shared by every kernel: scalar types per dtype, exact constants, the expression
 * dialect that renders the op table (src/ops/table.ts) into WGSL, and the prelude of helper functions the
 * table's WGSL strings call (erf_f32, pow_f32). Op semantics live in the table only; this file supplies syntax.
 */
import type { DType } from '../../dtype.js';
import { BackendError } from '../../errors.js';
import type { ExprDialect } from '../../ops/expr.js';
import { BINARY, CAST, UNARY } from '../../ops/table.js';
import { TANH } from '../f32-math.js';
import { WORKGROUP } from './constants.js';

/** WGSL scalar type holding a dtype. bool is stored one u32 per element (WGSL has no 8-bit storage). */
export function wgslType(dtype: DType): 'f32' | 'i32' | 'u32' {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'int32':
      return 'i32';
    case 'bool':
      return 'u32';
    case 'float64':
      throw new BackendError(
        'webgpu',
        'float64 is not supported on WebGPU (WGSL has no f64); cast to float32 first',
      );
  }
}

const f32Bits = new Float32Array(1);
const u32OfF32 = new Uint32Array(f32Bits.buffer);

/**
 * A constant of `dtype` as WGSL. Floats go through their bit pattern: WGSL has no NaN/Inf literals, and a
 * decimal literal would be rounded by the shader compiler instead of by Math.fround as on the CPU.
 */
export function wgslConst(value: number, dtype: DType): string {
  switch (dtype) {
    case 'float32': {
      f32Bits[0] = value;
      const f = f32Bits[0]!;
      if (Number.isInteger(f) && Math.abs(f) < 2 ** 24 && !Object.is(f, -0)) return `${f}.0`;
      const hex = `0x${u32OfF32[0]!.toString(16)}u`;
      // A constant-expression bitcast to NaN/Inf is a compile error, so those go through a function call.
      return Number.isFinite(f) ? `bitcast<f32>(${hex})` : `f32_bits(${hex})`;
    }
    case 'int32': {
      const i = value | 0;
      return i === -2147483648 ? 'i32(-2147483647 - 1)' : `${i}i`;
    }
    case 'bool':
      return value !== 0 ? '1u' : '0u';
    case 'float64':
      return wgslType(dtype);
  }
}

/** Renders expression trees (src/ops/expr.ts) as WGSL; inputs are the locals `v0, v1, ...`. */
export const wgslDialect: ExprDialect = {
  input: (index) => `v${index}`,
  constant: (value, dtype) => wgslConst(value, dtype),
  unary: (op, x, dtype) => UNARY[op].wgsl([x], wgslType(dtype)),
  binary: (op, a, b, dtype) => BINARY[op].wgsl([a, b], wgslType(dtype)),
  // Conditions are bool (u32 0/1) by the front-end's contract.
  where: (cond, a, b) => `select(${b}, ${a}, ${cond} != 0u)`,
  cast: (x, from, to) => CAST.wgsl(x, from, to, wgslType(to)),
};

/**
 * Helpers the op table's WGSL calls. Included in every elementwise/reduction shader (unused functions cost
 * nothing after compilation).
 */
export const BITS_HELPER = /* wgsl */ `
// NaN and Inf made at run time (WGSL rejects them as constant expressions).
fn f32_bits(u: u32) -> f32 { return bitcast<f32>(u); }
// NaN tested on the bits: WGSL lets compilers assume floats are never NaN, so x != x may fold to false.
fn isnan_f32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`;

const [t0, t1, t2, t3, t4] = TANH.POLY.map((c) => `(${c})`);

export const PRELUDE = /* wgsl */ `${BITS_HELPER}
// tanh by the CPU's algorithm (../f32-math.ts): x + x·z·P(z) for |x| < ${TANH.SMALL}, where drivers' builtin loses
// tiny inputs (lavapipe's tanh(1e-40) is 3e-8), else 1 - 2/(exp(2|x|) + 1) with x's sign; |x| is capped at 15
// (tanh(15) is 1 in float32) so exp never overflows. NaN passes (tested on the bits).
fn tanh_f32(x: f32) -> f32 {
  if (isnan_f32(x)) { return x; }
  let a = abs(x);
  if (a < ${TANH.SMALL}) {
    let z = x * x;
    let p = (((${t0} * z + ${t1}) * z + ${t2}) * z + ${t3}) * z + ${t4};
    return p * z * x + x;
  }
  let r = 1.0 - 2.0 / (exp(2.0 * min(a, 15.0)) + 1.0);
  return select(r, -r, x < 0.0);
}

// erf to ~1e-7 relative: a Taylor series near 0 (where relative accuracy matters for gelu of tiny inputs),
// else Numerical Recipes' erfc Chebyshev fit (fractional error < 1.2e-7).
fn erf_f32(x: f32) -> f32 {
  let z = abs(x);
  if (z < 0.5) {
    let x2 = x * x;
    return x * 1.1283791671 * (1.0 + x2 * (-0.3333333333 + x2 * (0.1 + x2 * (-0.0238095238 + x2 * (0.0046296296 - x2 * 0.0007575758)))));
  }
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(r - 1.0, 1.0 - r, x >= 0.0);
}

// log(1 + x) to float32 accuracy for tiny x: log(u)·x/(u - 1) with u = 1 + x cancels the rounding of u
// (Goldberg, "What every computer scientist should know about floating-point arithmetic", Theorem 4); u = 1
// means x is below half an ulp of 1, where log1p(x) = x; u = inf (x = inf) gives inf.
fn log1p_f32(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if ((bitcast<u32>(u) & 0x7fffffffu) == 0x7f800000u) { return u; }
  return log(u) * (x / (u - 1.0));
}

// Math.pow semantics (as PyTorch): pow(x, 0) = 1 even for NaN; a negative base with an integer exponent takes
// the sign of the exponent's parity, with a non-integer exponent gives NaN. Small integer exponents multiply
// exactly (x*x is what the CPU's rounded double gives), others go through exp2(b * log2|a|).
fn pow_f32(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan_f32(a) || isnan_f32(b)) { return a + b; }
  let isInt = floor(b) == b;
  if (a < 0.0 && !isInt) { return f32_bits(0x7fc00000u); }
  let odd = isInt && abs(b) < 16777216.0 && (i32(b) & 1) != 0;
  let sign = select(1.0, -1.0, odd && (a < 0.0 || (a == 0.0 && bitcast<u32>(a) != 0u)));
  let m = abs(a);
  var r: f32;
  if (isInt && abs(b) <= 64.0) {
    var e = u32(abs(b));
    var base = m;
    r = 1.0;
    loop {
      if ((e & 1u) != 0u) { r = r * base; }
      e = e >> 1u;
      if (e == 0u) { break; }
      base = base * base;
    }
    if (b < 0.0) { r = 1.0 / r; }
  } else if (m == 0.0) {
    r = select(f32_bits(0x7f800000u), 0.0, b > 0.0);
  } else {
    r = exp2(b * log2(m));
  }
  return sign * r;
}
`;

/** Reads u32 word i of the packed parameters (uniform arrays need 16-byte elements, hence vec4). */
export function paramsDecl(words: number): string {
  const vecs = Math.max(1, Math.ceil(words / 4));
  return `@group(0) @binding(0) var<uniform> P: array<vec4<u32>, ${vecs}>;
fn pu(i: u32) -> u32 { return P[i / 4u][i % 4u]; }`;
}

/** The linear invocation index of a 1-D dispatch that may be folded into 2-D (65535 groups per dimension). */
export const LINEAR_INDEX = 'gid.x + gid.y * nwg.x * WG';
export const ENTRY_ARGS =
  '@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>';

/**
 * The entry point of a 1-D kernel (dispatched by KernelContext.dispatch1d): invocation `index` returns when
 * it is not below the count in parameter word 0, else runs `body`.
 */
export function main1d(body: string, index = 'i'): string {
  return `const WG = ${WORKGROUP}u;
@compute @workgroup_size(${WORKGROUP})
fn main(${ENTRY_ARGS}) {
  let ${index} = ${LINEAR_INDEX};
  if (${index} >= pu(0u)) { return; }
  ${body}
}`;
}
