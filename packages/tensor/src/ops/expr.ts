/**
 * Elementwise expressions: small trees over the op table. One op call is a one-node tree; a composite such
 * as gelu may build a larger tree, which a backend compiles into a single fused kernel (one pass over memory).
 */
import type { DType } from '../dtype.js';
import { BINARY, type BinaryOp, outDType, UNARY, type UnaryOp } from './table.js';

/** An elementwise expression tree over numbered inputs, compiled into one kernel by `fused`. */
export type Expr =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'const'; readonly value: number; readonly dtype: DType }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly x: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'where'; readonly cond: Expr; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'cast'; readonly to: DType; readonly x: Expr };

/** The expression reading input `index`. */
export const input = (index: number): Expr => ({ kind: 'input', index });
/** A constant of `dtype`. */
export const constant = (value: number, dtype: DType): Expr => ({ kind: 'const', value, dtype });
/** A unary op applied to x. */
export const un = (op: UnaryOp, x: Expr): Expr => ({ kind: 'unary', op, x });
/** A binary op applied to a and b. */
export const bin = (op: BinaryOp, a: Expr, b: Expr): Expr => ({ kind: 'binary', op, a, b });
/** cond ? a : b. */
export const select = (cond: Expr, a: Expr, b: Expr): Expr => ({ kind: 'where', cond, a, b });
/** x converted to dtype `to`. */
export const castTo = (to: DType, x: Expr): Expr => ({ kind: 'cast', to, x });

/** The dtype an expression produces, given its inputs' dtypes. */
export function exprDType(e: Expr, inputs: readonly DType[]): DType {
  switch (e.kind) {
    case 'input':
      return inputs[e.index]!;
    case 'const':
      return e.dtype;
    case 'unary':
      return outDType(UNARY[e.op], exprDType(e.x, inputs));
    case 'binary':
      return outDType(BINARY[e.op], exprDType(e.a, inputs));
    case 'where':
      return exprDType(e.a, inputs);
    case 'cast':
      return e.to;
  }
}

/** A string that identifies the expression's structure (a kernel cache key). */
export function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'input':
      return `$${e.index}`;
    case 'const':
      return `${e.dtype}(${Object.is(e.value, -0) ? '-0' : e.value})`;
    case 'unary':
      return `${e.op}(${exprKey(e.x)})`;
    case 'binary':
      return `${e.op}(${exprKey(e.a)},${exprKey(e.b)})`;
    case 'where':
      return `where(${exprKey(e.cond)},${exprKey(e.a)},${exprKey(e.b)})`;
    case 'cast':
      return `cast<${e.to}>(${exprKey(e.x)})`;
  }
}

/**
 * Renders an expression through a backend's dialect. Each backend supplies how to read an input, write a
 * constant, and render table entries; the tree walk, dtype flow and casts are shared here.
 */
export interface ExprDialect {
  /** Source that reads input `index`. */
  input(index: number, dtype: DType): string;
  /** Source of a constant. */
  constant(value: number, dtype: DType): string;
  /** Source of a unary table op. */
  unary(op: UnaryOp, x: string, dtype: DType): string;
  /** Source of a binary table op. */
  binary(op: BinaryOp, a: string, b: string, dtype: DType): string;
  /** Source of a select. */
  where(cond: string, a: string, b: string): string;
  /** Source of a conversion. */
  cast(x: string, from: DType, to: DType): string;
}

/** Renders an expression as source text through a backend's dialect. */
export function renderExpr(e: Expr, inputs: readonly DType[], d: ExprDialect): string {
  switch (e.kind) {
    case 'input':
      return d.input(e.index, inputs[e.index]!);
    case 'const':
      return d.constant(e.value, e.dtype);
    case 'unary':
      return d.unary(e.op, renderExpr(e.x, inputs, d), exprDType(e.x, inputs));
    case 'binary':
      return d.binary(e.op, renderExpr(e.a, inputs, d), renderExpr(e.b, inputs, d), exprDType(e.a, inputs));
    case 'where':
      return d.where(renderExpr(e.cond, inputs, d), renderExpr(e.a, inputs, d), renderExpr(e.b, inputs, d));
    case 'cast':
      return d.cast(renderExpr(e.x, inputs, d), exprDType(e.x, inputs), e.to);
  }
}
