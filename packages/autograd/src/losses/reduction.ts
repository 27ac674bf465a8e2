import { mean, sum, type Tensor } from '@norga/tensor';
import { alias } from '../engine/alias.js';
import { GradError } from '../errors.js';

/** How a loss reduces over items: their mean, their sum, or none (per-item losses). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Applies a loss reduction to per-element losses. */
export function reduce(op: string, loss: Tensor, reduction: Reduction): Tensor {
  switch (reduction) {
    case 'mean':
      return mean(loss);
    case 'sum':
      return sum(loss);
    case 'none':
      return alias(loss);
    default:
      throw new GradError(op, `reduction must be 'mean', 'sum' or 'none', got '${String(reduction)}'`);
  }
}
