/**
 * Tensor methods for autograd, added to `@norga/tensor`'s Tensor from this side (tensor never imports
 * autograd): `t.requiresGrad`, `t.grad`, `t.requiresGrad_()`, `t.backward()`, `t.detach()`, `t.isLeaf`.
 * Each is a thin wrapper over the functions exported beside it, which work without the augmentation too.
 */
import { Tensor } from '@norga/tensor';
import { type BackwardOptions, backward } from './backward.js';
import { detach, gradOf, isLeaf, requiresGrad, requiresGrad_, setGrad } from './leaf.js';

// The type side of these methods is declared in src/index.ts, so that it ships in the package's .d.ts.

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
