/** Leaves: marking tensors as requiring gradients, reading and clearing `.grad`, detaching. */
import { isFloat, keep, sameShape, Tensor } from '@norga/tensor';
import { describe, GradError } from '../errors.js';
import { leaves, producers, requiresGradOf, unref } from './graph.js';

/** Marks a leaf as requiring (or no longer requiring) gradients. Returns the tensor. */
export function requiresGrad_<T extends Tensor>(t: T, flag = true): T {
  t.assertLive('requiresGrad_');
  if (producers.has(t)) {
    if (flag) return t;
    throw new GradError(
      'requiresGrad_',
      `${describe(t)} is the output of an op, not a leaf: use detach() to cut it from the graph`,
    );
  }
  if (flag && !isFloat(t.dtype)) {
    throw new GradError('requiresGrad_', `only float tensors can require gradients, got ${describe(t)}`);
  }
  const state = leaves.get(t);
  if (state) state.requiresGrad = flag;
  else if (flag) leaves.set(t, { requiresGrad: true, grad: null });
  return t;
}

/** Whether gradients flow out of t (a marked leaf, or an op output depending on one). */
export const requiresGrad = (t: Tensor): boolean => requiresGradOf(t);
/** True unless an op recorded for autograd produced t. */
export const isLeaf = (t: Tensor): boolean => !producers.has(t);

/** The gradient accumulated into a leaf by backward(), or null. The leaf owns it: do not dispose it. */
export function gradOf(t: Tensor): Tensor | null {
  return leaves.get(t)?.grad ?? null;
}

/**
 * Replaces a leaf's gradient (disposing the old one). `null` clears it; a tensor is adopted (the leaf takes
 * ownership), e.g. after clipping.
 */
export function setGrad(t: Tensor, g: Tensor | null): void {
  const state = leaves.get(t);
  if (g !== null) {
    if (!sameShape(g.shape, t.shape) || g.dtype !== t.dtype) {
      throw new GradError('setGrad', `gradient ${describe(g)} must match the tensor ${describe(t)}`);
    }
    if (!state) throw new GradError('setGrad', `${describe(t)} is not a leaf that requires grad`);
  }
  if (!state) return;
  if (state.grad !== null && state.grad !== g) state.grad.dispose();
  state.grad = g === null ? null : keep(g);
}

/** A new handle on the same data, cut from the graph: no gradient flows through it. */
export function detach(t: Tensor): Tensor {
  return t.share();
}

/**
 * Ties autograd to tensor lifetimes: disposing an op's output drops the graph's reference to its node (so
 * an unused graph frees its saved tensors), and disposing a leaf disposes its gradient. Wraps
 * Tensor.prototype.dispose once; `tensor` itself knows nothing of this.
 */
const PATCHED = Symbol.for('@norga/autograd.dispose');
export function installDisposeHook(): void {
  const proto = Tensor.prototype as unknown as Record<symbol, unknown> & { dispose(this: Tensor): void };
  if (proto[PATCHED]) return;
  const original = proto.dispose;
  proto.dispose = function dispose(this: Tensor): void {
    if (!this.isDisposed) {
      const node = producers.get(this);
      if (node !== undefined) {
        producers.delete(this);
        unref(node);
      }
      const state = leaves.get(this);
      if (state) {
        state.grad?.dispose();
        state.grad = null;
        leaves.delete(this);
      }
    }
    original.call(this);
  };
  proto[PATCHED] = true;
}
