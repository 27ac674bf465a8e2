/** Elementwise front-end: dtype checks, broadcasting, output allocation; the maths lives in ./table.ts. */

import { record } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import { DTypeError, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { bin, castTo, type Expr, exprDType, input, select, un } from './expr.js';
import { arg, type Ex, lit } from './fluent.js';
import { assertScalarFits, scalarLike } from './scalar.js';
import { BINARY, type BinaryOp, outDType, UNARY, type UnaryOp } from './table.js';
import {
  assertDTypeIn,
  assertLive,
  assertSameDType,
  broadcastView,
  commonBackend,
  disposeOnThrow,
  empty,
} from './util.js';

/** Runs an expression over broadcast inputs as one kernel, without reporting it to the recorder. */
export function runExpr(op: string, expr: Expr, inputs: readonly Tensor[]): Tensor {
  const backend = commonBackend(op, ...inputs);
  const shape = broadcastShapes(op, ...inputs.map((t) => t.shape));
  const dtype = exprDType(
    expr,
    inputs.map((t) => t.dtype),
  );
  const out = empty(backend, dtype, shape);
  if (out.size > 0)
    disposeOnThrow(out, () =>
      backend.elementwise(
        expr,
        inputs.map((t) => broadcastView(t, shape)),
        out,
      ),
    );
  return out;
}

export function unary(op: UnaryOp, x: Tensor): Tensor {
  assertLive(op, x, 'x');
  assertDTypeIn(op, x, UNARY[op].dtypes);
  const out = runExpr(op, un(op, input(0)), [x]);
  record(op, [x], {}, out);
  return out;
}

/** Turns a JS number operand into a 0-d tensor of the other operand's dtype, on its backend. */
function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor, Tensor[]] {
  if (typeof a === 'number' && typeof b === 'number')
    throw new DTypeError(op, 'needs at least one tensor operand');
  const temps: Tensor[] = [];
  const ta = typeof a === 'number' ? (temps[temps.length] = scalarLike(a, b as Tensor, op)) : a;
  const tb = typeof b === 'number' ? (temps[temps.length] = scalarLike(b, a as Tensor, op)) : b;
  return [ta, tb, temps];
}

export function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, temps] = operands(op, a, b);
  try {
    commonBackend(op, ta, tb);
    assertSameDType(op, ta, tb);
    assertDTypeIn(op, ta, BINARY[op].dtypes);
    const out = runExpr(op, bin(op, input(0), input(1)), [ta, tb]);
    record(op, [ta, tb], {}, out);
    return out;
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** where(cond, a, b): a where cond is true, else b; all three broadcast together. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  assertLive('where', cond, 'cond');
  if (cond.dtype !== 'bool')
    throw new DTypeError('where', `condition must be bool, got ${cond.dtype} ${fmtShape(cond.shape)}`);
  const [ta, tb, temps] = operands('where', a, b);
  try {
    commonBackend('where', cond, ta, tb);
    assertSameDType('where', ta, tb);
    const out = runExpr('where', select(input(0), input(1), input(2)), [cond, ta, tb]);
    record('where', [cond, ta, tb], {}, out);
    return out;
  } finally {
    for (const t of temps) t.dispose();
  }
}

/** A copy of x converted to `dtype` (float to int truncates toward zero, as PyTorch). */
export function cast(x: Tensor, dtype: DType): Tensor {
  assertLive('cast', x, 'x');
  const out = runExpr('cast', castTo(dtype, input(0)), [x]);
  record('cast', [x], { dtype }, out);
  return out;
}

/**
 * A user-built expression compiled into one kernel (one pass over memory). Reported to the recorder as
 * 'fused' with the expression, so autograd can differentiate it or refuse clearly.
 */
export function fused(expr: Expr, inputs: readonly Tensor[]): Tensor {
  const out = runExpr('fused', expr, inputs);
  record('fused', inputs, { expr }, out);
  return out;
}

/**
 * A composite op run as one fused kernel (one pass over memory, no intermediates): `build` gets one fluent
 * expression (./fluent.ts) per operand, tensors as inputs and JS numbers as constants of the tensors' dtype. Tensor operands must share a
 * dtype, listed in `accepts`. Reported as 'fused', so autograd differentiates it through the same rules as the
 * unfused ops.
 */
export function composite(
  op: string,
  operands: readonly TensorLike[],
  accepts: readonly DType[],
  build: (...operands: Ex[]) => Ex,
): Tensor {
  const tensors = operands.filter((o): o is Tensor => typeof o !== 'number');
  const first = tensors[0];
  if (!first) throw new DTypeError(op, 'needs at least one tensor operand');
  commonBackend(op, ...tensors);
  for (const t of tensors) assertSameDType(op, first, t);
  assertDTypeIn(op, first, accepts);
  let next = 0;
  const exprs = operands.map((o) => {
    if (typeof o !== 'number') return arg(next++, first.dtype);
    assertScalarFits(op, o, first);
    return lit(o, first.dtype);
  });
  const { expr } = build(...exprs);
  const out = runExpr(op, expr, tensors);
  record('fused', tensors, { expr, name: op }, out);
  return out;
}

export function requireFloat(op: string, x: Tensor): void {
  assertLive(op, x, 'x');
  if (!isFloat(x.dtype))
    throw new DTypeError(op, `needs a float tensor, got ${x.dtype} ${fmtShape(x.shape)}`);
}

export { outDType };
