/**
 * @norga/autograd — reverse-mode autograd for @norga/tensor, with nn modules, optimisers and losses.
 * Importing this package installs the op recorder and the Tensor methods (requiresGrad, grad, backward, ...).
 */

export { assign_ } from './engine/assign.js';
export * from './engine/index.js';
export { GradError, StateDictError } from './errors.js';
export * from './losses/index.js';
export * as nn from './nn/index.js';
export * from './nn/index.js';
export * as optim from './optim/index.js';
export * from './optim/index.js';
export { NON_DIFFERENTIABLE, RULES, type VjpRule } from './rules/index.js';
