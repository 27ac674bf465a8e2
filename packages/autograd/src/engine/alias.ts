import { reshape, type Tensor } from '@norga/tensor';

/**
 * A new handle on x that stays in the graph (a recorded reshape to the same shape). `share()` would give a
 * handle too, but one that autograd cannot see through, i.e. a detach.
 */
export function alias(x: Tensor): Tensor {
  return reshape(x, x.shape);
}
