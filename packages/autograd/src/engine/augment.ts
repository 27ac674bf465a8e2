/**
 * Tensor methods for autograd, added to `@norga/tensor`'s Tensor from this side (tensor never imports
 * autograd): `t.requiresGrad`, `t.grad`, `t.requiresGrad_()`, `t.backward()`, `t.detach()`, `t.isLeaf`.
 * Each is a thin wrapper over the functions exported beside it, which work without the augmentation too.
 */
import { Tensor } from '@norga/tensor';
import { type BackwardOptions, backward } from './backward.js';
import { detach, gradOf, isLeaf, requiresGrad, requiresGrad_, setGrad } from './leaf.js';

declare module '@norga/tensor' {
  interface Tensor {
    /** Whether gradients flow out of this tensor: a leaf marked with requiresGrad_(), or an op output depending on one. */
    readonly requiresGrad: boolean;
    /** The gradient accumulated into this leaf by backward(), or null; assign null to clear it. */
    grad: Tensor | null;
    /** True unless an op recorded for autograd produced this tensor. */
    readonly isLeaf: boolean;
    /** Marks this leaf as requiring gradients (or not); returns this. */
    requiresGrad_(flag?: boolean): this;
    /** Backpropagates from this tensor into the `.grad` of every leaf it depends on. */
    backward(options?: BackwardOptions): void;
    /** A new handle on the same data, cut from the graph. */
    detach(): Tensor;
  }
}

export function installTensorMethods(): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  if (Object.hasOwn(proto, 'backward')) return;
  Object.defineProperties(proto, {
    requiresGrad: {
      get(this: Tensor) {
        return requiresGrad(this);
      },
      configurable: true,
    },
    grad: {
      get(this: Tensor) {
        return gradOf(this);
      },
      set(this: Tensor, g: Tensor | null) {
        setGrad(this, g);
      },
      configurable: true,
    },
    isLeaf: {
      get(this: Tensor) {
        return isLeaf(this);
      },
      configurable: true,
    },
    requiresGrad_: {
      value(this: Tensor, flag = true) {
        return requiresGrad_(this, flag);
      },
      configurable: true,
      writable: true,
    },
    backward: {
      value(this: Tensor, options?: BackwardOptions) {
        backward(this, options);
      },
      configurable: true,
      writable: true,
    },
    detach: {
      value(this: Tensor) {
        return detach(this);
      },
      configurable: true,
      writable: true,
    },
  });
}
