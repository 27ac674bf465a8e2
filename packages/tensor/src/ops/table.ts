/**
 * The elementwise op table: the one definition of each elementwise op's semantics.
 *
 * Every entry yields a JavaScript expression (the CPU backend compiles these with `new Function`) and a WGSL
 * expression (the WebGPU backend splices these into compute shaders). Both are written side by side, so a
 * backend cannot miss an op: the table's type requires both strings, and kernels are generated from it.
 *
 * `T` below is the WGSL scalar type of the operands (f32 or i32). For float32 the CPU backend rounds every
 * node's result to float32 (Math.fround, added by its dialect), and exp, tanh and erf run the float32
 * algorithms of backends/f32-math.ts, the ones its WebAssembly tier runs: so a float32 expression gives the same
 * bits on both CPU tiers, and so at any tensor size. float64 computes in doubles.
 */
import type { DType } from '../dtype.js';

/** The unary ops of the table. */
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'log1p'
  | 'sqrt'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'erf'
  | 'abs';
/** The binary ops of the table. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow' | 'cmplt' | 'cmpeq';

/** One elementwise op, defined once for every backend: accepted dtypes, output dtype, JS and WGSL source. */
export interface ElementwiseDef<Arity extends 1 | 2> {
  readonly arity: Arity;
  /** Input dtypes the op accepts. */
  readonly dtypes: readonly DType[];
  /** Output dtype: 'same' as the input, or a fixed one (comparisons give bool). */
  readonly out: 'same' | DType;
  /** JS expression over operand expressions; `dtype` is the operands' dtype. */
  readonly js: (args: string[], dtype: DType) => string;
  /** WGSL expression over operand expressions; `t` is the WGSL scalar type ('f32', 'i32' or 'u32' for bool). */
  readonly wgsl: (args: string[], t: string) => string;
}

const F: readonly DType[] = ['float32', 'float64'];
const FI: readonly DType[] = ['float32', 'float64', 'int32'];
const ALL: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

const unary = (js: (x: string, dtype: DType) => string, wgsl: (x: string, t: string) => string, dtypes = F) =>
  ({
    arity: 1,
    dtypes,
    out: 'same',
    js: ([x], d) => js(x!, d),
    wgsl: ([x], t) => wgsl(x!, t),
  }) as const satisfies ElementwiseDef<1>;

/** The unary ops: one definition each, rendered as JavaScript on the CPU and WGSL on WebGPU. */
export const UNARY: { readonly [K in UnaryOp]: ElementwiseDef<1> } = {
  neg: unary(
    (x) => `(-${x})`,
    (x) => `(-${x})`,
    FI,
  ),
  exp: unary(
    (x, d) => (d === 'float32' ? `exp32(${x})` : `Math.exp(${x})`),
    (x) => `exp(${x})`,
  ),
  log: unary(
    (x) => `Math.log(${x})`,
    (x) => `log(${x})`,
  ),
  // log(1 + x) without losing a tiny x to the rounding of 1 + x (softplus and logSigmoid need it)
  log1p: unary(
    (x) => `Math.log1p(${x})`,
    (x) => `log1p_f32(${x})`,
  ),
  sqrt: unary(
    (x) => `Math.sqrt(${x})`,
    (x) => `sqrt(${x})`,
  ),
  reciprocal: unary(
    (x) => `(1 / ${x})`,
    (x) => `(1.0 / ${x})`,
  ),
  sin: unary(
    (x) => `Math.sin(${x})`,
    (x) => `sin(${x})`,
  ),
  cos: unary(
    (x) => `Math.cos(${x})`,
    (x) => `cos(${x})`,
  ),
  // WGSL's builtin tanh overflows to NaN for |x| > ~44 on some drivers and loses tiny inputs on others:
  // tanh_f32 (webgpu/wgsl.ts) runs the CPU's float32 algorithm instead.
  tanh: unary(
    (x, d) => (d === 'float32' ? `tanh32(${x})` : `Math.tanh(${x})`),
    (x) => `tanh_f32(${x})`,
  ),
  // float64 gets a ~1e-15 erf (gradient checks need it); float32 the fitted polynomials of f32-math.ts (3 ulp).
  erf: unary(
    (x, d) => (d === 'float64' ? `erf(${x})` : `erf32(${x})`),
    (x) => `erf_f32(${x})`,
  ),
  abs: unary(
    (x) => `Math.abs(${x})`,
    (x) => `abs(${x})`,
    FI,
  ),
};

const binary = (
  js: (a: string, b: string, dtype: DType) => string,
  wgsl: (a: string, b: string, t: string) => string,
  dtypes: readonly DType[] = FI,
  out: 'same' | DType = 'same',
) =>
  ({
    arity: 2,
    dtypes,
    out,
    js: ([a, b], d) => js(a!, b!, d),
    wgsl: ([a, b], t) => wgsl(a!, b!, t),
  }) as const satisfies ElementwiseDef<2>;

/** The binary ops, likewise. */
export const BINARY: { readonly [K in BinaryOp]: ElementwiseDef<2> } = {
  add: binary(
    (a, b) => `(${a} + ${b})`,
    (a, b) => `(${a} + ${b})`,
  ),
  sub: binary(
    (a, b) => `(${a} - ${b})`,
    (a, b) => `(${a} - ${b})`,
  ),
  // int32 products must wrap like the hardware's, not round through a double.
  mul: binary(
    (a, b, d) => (d === 'int32' ? `Math.imul(${a}, ${b})` : `(${a} * ${b})`),
    (a, b) => `(${a} * ${b})`,
  ),
  div: binary(
    (a, b) => `(${a} / ${b})`,
    (a, b) => `(${a} / ${b})`,
    F,
  ),
  // NaN propagates, as in torch.maximum / torch.minimum.
  max: binary(
    (a, b) => `Math.max(${a}, ${b})`,
    (a, b, t) =>
      t === 'f32'
        ? `select(max(${a}, ${b}), ${a} + ${b}, isnan_f32(${a}) || isnan_f32(${b}))`
        : `max(${a}, ${b})`,
    ALL,
  ),
  min: binary(
    (a, b) => `Math.min(${a}, ${b})`,
    (a, b, t) =>
      t === 'f32'
        ? `select(min(${a}, ${b}), ${a} + ${b}, isnan_f32(${a}) || isnan_f32(${b}))`
        : `min(${a}, ${b})`,
    ALL,
  ),
  pow: binary(
    (a, b) => `Math.pow(${a}, ${b})`,
    (a, b) => `pow_f32(${a}, ${b})`,
    F,
  ),
  cmplt: binary(
    (a, b) => `(${a} < ${b} ? 1 : 0)`,
    (a, b) => `select(0u, 1u, ${a} < ${b})`,
    ALL,
    'bool',
  ),
  cmpeq: binary(
    (a, b) => `(${a} === ${b} ? 1 : 0)`,
    (a, b) => `select(0u, 1u, ${a} == ${b})`,
    ALL,
    'bool',
  ),
};

/** Casting between dtypes, one definition for every backend. Float -> int truncates toward zero (as PyTorch). */
export const CAST = {
  /** JavaScript source of a conversion. */
  js(x: string, from: DType, to: DType): string {
    if (from === to) return x;
    if (to === 'bool') return `(${x} !== 0 ? 1 : 0)`;
    if (to === 'int32') return from === 'bool' ? x : `(${x} | 0)`;
    return x; // to float: doubles hold every int32 and bool exactly; the store rounds to float32.
  },
  /** WGSL source of a conversion. */
  wgsl(x: string, from: DType, to: DType, toT: string): string {
    if (from === to) return x;
    if (to === 'bool') return `select(0u, 1u, ${x} != ${wgslZero(from)})`;
    return `${toT}(${x})`;
  },
};

function wgslZero(d: DType): string {
  return d === 'bool' ? '0u' : d === 'int32' ? '0i' : '0.0';
}

/** Output dtype of an elementwise op applied to operands of `dtype`. */
export function outDType(def: ElementwiseDef<1 | 2>, dtype: DType): DType {
  return def.out === 'same' ? dtype : def.out;
}
