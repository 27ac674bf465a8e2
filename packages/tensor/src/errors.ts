/**
 * Every misuse of the tensor API throws one of these. Messages name the op, the shapes and the dtypes,
 * e.g. `matmul: inner dimensions differ: [2,3] @ [4,5]`.
 */
export class TensorError extends Error {
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
    this.name = new.target.name;
  }
}
/** Shapes that do not fit together (broadcasting, matmul, reshape, concat...). */
export class ShapeError extends TensorError {}
/** A dtype the op does not accept, or two operands of different dtypes. */
export class DTypeError extends TensorError {}
/** An axis or index outside its range. */
export class IndexError extends TensorError {}
/** A tensor used after `dispose()`. */
export class DisposedError extends TensorError {}
/** Tensors on different backends, or a backend that cannot do what was asked. */
export class BackendError extends TensorError {}

/** `[2,3]` — how shapes appear in messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
