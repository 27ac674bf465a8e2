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

/** An argument of the wrong kind: not a Tensor where one is needed (a missing await, an array, null), a shape
 * that is not an array of sizes. */
export class ArgumentError extends TensorError {}
/** Storage the backend cannot allocate (larger than a typed array or GPU buffer can be). */
export class AllocationError extends TensorError {}

/** `[2,3]` — how shapes appear in messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** How a non-tensor argument appears in messages, with the likely mistake behind it. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (v instanceof Promise || typeof (v as { then?: unknown }).then === 'function')
    return 'a Promise (a missing await?)';
  if (Array.isArray(v)) return `an array of length ${v.length} (make a tensor first: tensor([...]))`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} (make a tensor first: tensor(array, {shape}))`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'no prototype'})`;
  return `${typeof v} ${String(v)}`;
}
