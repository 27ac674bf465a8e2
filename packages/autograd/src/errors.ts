/**
 * Misuse of autograd throws a GradError (a TensorError, so one `catch (e instanceof TensorError)` covers both
 * packages). Messages name the op, the shapes and the dtypes involved.
 */
import { fmtShape, TensorError } from '@norga/tensor';

/** Misuse of autograd: a backward without a graph, a non-float leaf, an optimizer or loss given the wrong shapes. */
export class GradError extends TensorError {}

/** `[2,3] float32` — how a tensor appears in messages. */
export function describe(t: { readonly shape: readonly number[]; readonly dtype: string }): string {
  return `${fmtShape(t.shape)} ${t.dtype}`;
}

/** A state dict that does not fit a module: missing or unexpected keys, or a shape that differs. */
export class StateDictError extends TensorError {}

/** Checks that `fn` is a function (a module is one: calling it runs its forward). */
export function assertFunction(op: string, fn: unknown): void {
  if (typeof fn !== 'function')
    throw new GradError(op, `expects a function, got ${fn === null ? 'null' : typeof fn}`);
}
