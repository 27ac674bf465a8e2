import type { Backend } from '../backend.js';
import { type DType, typedArrayFor } from '../dtype.js';
import { DTypeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { constant } from './expr.js';
import { empty } from './util.js';

/**
 * A tensor of `shape` holding `value`. Small ones (0-d operands, Adam's step-dependent scalars) are written
 * from the host: a fill kernel has the value baked into its source, so every distinct value (an lr schedule's
 * every step) would compile, and cache, a kernel of its own. Large fills (zeros, ones) run as a kernel, on the
 * device where there is one.
 */
export function filled(
  backend: Backend,
  dtype: DType,
  shape: readonly number[],
  value: number,
  op = 'alloc',
): Tensor {
  const out = empty(backend, dtype, shape, op);
  if (out.size === 0) return out;
  if (out.size <= HOST_FILL_MAX)
    backend.write(out.storage.handle, typedArrayFor(dtype, out.size).fill(value));
  else backend.elementwise(constant(value, dtype), [], out);
  return out;
}

/** Fills of at most this many elements are written from the host (a few kilobytes). */
const HOST_FILL_MAX = 1024;

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
