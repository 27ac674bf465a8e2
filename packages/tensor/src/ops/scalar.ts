import type { Backend } from '../backend.js';
import type { DType } from '../dtype.js';
import { DTypeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { constant } from './expr.js';
import { empty } from './util.js';

/** A 0-d tensor holding `value`, filled on the backend (no host round trip on WebGPU). */
export function filled(backend: Backend, dtype: DType, shape: readonly number[], value: number): Tensor {
  const out = empty(backend, dtype, shape);
  if (out.size > 0) backend.elementwise(constant(value, dtype), [], out);
  return out;
}

/** Checks that a JS number is a value of `like`'s dtype (an int32 operand takes integers, a bool one 0 or 1). */
export function assertScalarFits(op: string, value: number, like: Tensor): void {
  if (like.dtype === 'int32' && !(Number.isInteger(value) && value >= -2147483648 && value <= 2147483647)) {
    throw new DTypeError(
      op,
      `${value} is not an int32 value (the other operand is int32 ${fmtShape(like.shape)})`,
    );
  }
  if (like.dtype === 'bool' && value !== 0 && value !== 1) {
    throw new DTypeError(
      op,
      `${value} is not a bool value (0 or 1; the other operand is bool ${fmtShape(like.shape)})`,
    );
  }
}

export function scalarLike(value: number, like: Tensor, op = 'scalar'): Tensor {
  assertScalarFits(op, value, like);
  return filled(like.backend, like.dtype, [], value);
}
