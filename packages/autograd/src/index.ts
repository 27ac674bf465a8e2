/**
 * @norga/autograd — reverse-mode autograd for @norga/tensor, with nn modules, optimisers and losses.
 * Importing this package installs the op recorder and the Tensor methods (requiresGrad, grad, backward, ...).
 */

import type { BackwardOptions } from './engine/backward.js';

// Tensor methods added by this package (installed at import by engine/augment.ts). Declared in the entry file:
// the declaration bundler keeps an entry's module augmentation, and drops one left in an inner module.
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

export { assign_ } from './engine/assign.js';
export * from './engine/index.js';
export { GradError, StateDictError } from './errors.js';
export * from './losses/index.js';
/** The layers, containers and initialisers, as torch.nn (also exported at the top level). */
export * as nn from './nn/index.js';
export * from './nn/index.js';
/** The optimizers, schedulers and clipping, as torch.optim (also exported at the top level). */
export * as optim from './optim/index.js';
export * from './optim/index.js';
export {
  type BackwardContext,
  type Differentiable,
  NON_DIFFERENTIABLE,
  RULES,
  type RuleTable,
  type SaveContext,
  type VjpRule,
} from './rules/index.js';
