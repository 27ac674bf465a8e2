/**
 * The primitive set: every op a front-end function reports to the recorder (./dispatch.ts), with the attributes
 * it reports, typed once. Autograd's rule table and the backends' kernel tables are mapped types over these
 * names, so adding a primitive here makes the compiler list each rule and kernel it still needs.
 *
 * Inputs are in call order; a JS number operand arrives as a 0-d tensor. Creation ops (full, arange, rand, ...)
 * have no inputs and are not reported.
 */
import type { ReduceOp } from './backend.js';
import type { DType } from './dtype.js';
import type { Expr } from './ops/expr.js';
import { BINARY, type BinaryOp, UNARY, type UnaryOp } from './ops/table.js';
import type { Tensor } from './tensor.js';

/** The attributes of a primitive that reports none. */
export type None = { readonly [k in never]: never };
/** The attributes of a primitive over one axis (softmax, concat, gather, ...). */
export type Axis = { readonly axis: number };
/** The attributes of a reduction: the axes reduced and whether they are kept as size 1. */
export type Reduce = { readonly axes: readonly number[]; readonly keepdim: boolean };

/** The attributes each primitive reports, by name. */
export type PrimitiveAttrs = { readonly [P in UnaryOp | BinaryOp]: None } & {
  readonly [P in ReduceOp as `reduce.${P}`]: Reduce;
} & {
  /** [cond, a, b] */
  readonly where: None;
  readonly cast: { readonly dtype: DType };
  /** [a, b], rank >= 2 (the front-end promotes 1-D operands), batch dims broadcast. */
  readonly matmul: None;
  readonly reshape: { readonly shape: readonly number[] };
  readonly permute: { readonly dims: readonly number[] };
  readonly expand: { readonly shape: readonly number[] };
  readonly slice: {
    readonly axis: number;
    readonly start: number;
    readonly end: number;
    readonly step: number;
  };
  readonly contiguous: None;
  readonly pad: { readonly pads: readonly (readonly [number, number])[]; readonly value: number };
  /** [...parts] */
  readonly concat: Axis;
  /** [x, index] */
  readonly gather: Axis;
  /** [x, index, src] */
  readonly scatterAdd: Axis;
  /** `[...inputs]`: an elementwise expression tree run as one kernel; `name` is the composite's (gelu, ...). */
  readonly fused: { readonly expr: Expr; readonly name?: string };
  /** Composites with closed-form gradients. */
  readonly softmax: Axis;
  readonly logSoftmax: Axis;
  /** `[q, k, v]`: the probabilities travel along so the rule saves them instead of recomputing them. */
  readonly attention: { readonly scale: number; readonly probs: Tensor };
  /**
   * [x, weight?, bias?]: `weight`/`bias` say which are present; the statistics travel along (live only while
   * recording) so the rule saves them.
   */
  readonly layerNorm: {
    readonly axes: readonly number[];
    readonly eps: number;
    readonly weight: boolean;
    readonly bias: boolean;
    readonly mean: Tensor | undefined;
    readonly rstd: Tensor | undefined;
  };
};

/** The name of a primitive op. */
export type Primitive = keyof PrimitiveAttrs;

/** The reductions' names as primitives. */
export type ReducePrimitive = `reduce.${ReduceOp}`;

/**
 * Every primitive, listed at run time (for coverage tests and docs). The object's type requires each name, so
 * this list cannot fall behind the type.
 */
const OTHERS: { readonly [P in Exclude<Primitive, UnaryOp | BinaryOp>]: true } = {
  where: true,
  cast: true,
  'reduce.sum': true,
  'reduce.max': true,
  'reduce.min': true,
  'reduce.argmax': true,
  'reduce.argmin': true,
  matmul: true,
  reshape: true,
  permute: true,
  expand: true,
  slice: true,
  contiguous: true,
  pad: true,
  concat: true,
  gather: true,
  scatterAdd: true,
  fused: true,
  softmax: true,
  logSoftmax: true,
  attention: true,
  layerNorm: true,
};

/** Every primitive's name, at run time: the op table's unary and binary ops, then the others (kept complete by OTHERS' type). */
export const PRIMITIVES: readonly Primitive[] = [
  ...(Object.keys(UNARY) as UnaryOp[]),
  ...(Object.keys(BINARY) as BinaryOp[]),
  ...(Object.keys(OTHERS) as (keyof typeof OTHERS)[]),
];
