/**
 * Elementwise expressions written as their formulas: gelu's 0.5·x·(1 + erf(x/√2)) is
 * `half.mul(x).mul(one.add(x.mul(invSqrt2).erf()))`. Each method adds one node of the op table (./table.ts)
 * to the tree (./expr.ts) that a backend compiles into one kernel; `.expr` is that tree. A number operand
 * becomes a constant of the other operand's dtype, as it does for the tensor ops.
 */
import type { DType } from '../dtype.js';
import { bin, castTo, constant, type Expr, input, select, un } from './expr.js';
import { BINARY, type BinaryOp, outDType, UNARY, type UnaryOp } from './table.js';

/** An operand of a fluent method: another expression, or a number (a constant of this one's dtype). */
export type Operand = Ex | number;

/** An expression tree and the dtype it produces (undefined where its inputs' dtypes were not given). */
export class Ex {
  constructor(
    readonly expr: Expr,
    readonly dtype: DType | undefined,
  ) {}

  /** −this. */
  neg(): Ex {
    return this.unary('neg');
  }
  /** e^this. */
  exp(): Ex {
    return this.unary('exp');
  }
  /** The natural logarithm of this. */
  log(): Ex {
    return this.unary('log');
  }
  /** ln(1 + this), accurate near 0. */
  log1p(): Ex {
    return this.unary('log1p');
  }
  /** √this. */
  sqrt(): Ex {
    return this.unary('sqrt');
  }
  /** 1 / this. */
  reciprocal(): Ex {
    return this.unary('reciprocal');
  }
  /** sin(this). */
  sin(): Ex {
    return this.unary('sin');
  }
  /** cos(this). */
  cos(): Ex {
    return this.unary('cos');
  }
  /** tanh(this). */
  tanh(): Ex {
    return this.unary('tanh');
  }
  /** The error function of this. */
  erf(): Ex {
    return this.unary('erf');
  }
  /** |this|. */
  abs(): Ex {
    return this.unary('abs');
  }

  /** this + b. */
  add(b: Operand): Ex {
    return this.binary('add', b);
  }
  /** this − b. */
  sub(b: Operand): Ex {
    return this.binary('sub', b);
  }
  /** this · b. */
  mul(b: Operand): Ex {
    return this.binary('mul', b);
  }
  /** this / b. */
  div(b: Operand): Ex {
    return this.binary('div', b);
  }
  /** The larger of this and b. */
  max(b: Operand): Ex {
    return this.binary('max', b);
  }
  /** The smaller of this and b. */
  min(b: Operand): Ex {
    return this.binary('min', b);
  }
  /** this raised to the power b. */
  pow(b: Operand): Ex {
    return this.binary('pow', b);
  }
  /** this < b, as bool. */
  cmplt(b: Operand): Ex {
    return this.binary('cmplt', b);
  }
  /** this == b, as bool. */
  cmpeq(b: Operand): Ex {
    return this.binary('cmpeq', b);
  }

  /** this ? a : b, for a bool condition. */
  where(a: Operand, b: Operand): Ex {
    const dtype = typeof a === 'number' ? (typeof b === 'number' ? undefined : b.dtype) : a.dtype;
    return new Ex(select(this.expr, lift(a, dtype), lift(b, dtype)), dtype);
  }

  /** This converted to `to`. */
  cast(to: DType): Ex {
    return new Ex(castTo(to, this.expr), to);
  }

  private unary(op: UnaryOp): Ex {
    return new Ex(un(op, this.expr), this.dtype && outDType(UNARY[op], this.dtype));
  }

  private binary(op: BinaryOp, b: Operand): Ex {
    return new Ex(bin(op, this.expr, lift(b, this.dtype)), this.dtype && outDType(BINARY[op], this.dtype));
  }
}

function lift(v: Operand, dtype: DType | undefined): Expr {
  if (typeof v !== 'number') return v.expr;
  if (dtype === undefined) throw new TypeError(`expression constant ${v}: give the inputs' dtype to arg()`);
  return constant(v, dtype);
}

/** Input `index` of the kernel, of `dtype` where the expression uses number constants. */
export const arg = (index: number, dtype?: DType): Ex => new Ex(input(index), dtype);

/** A constant of `dtype` (where it must lead an expression: `lit(1, d).sub(y)`). */
export const lit = (value: number, dtype: DType): Ex => new Ex(constant(value, dtype), dtype);
