/**
 * Batched matmul C = A @ B (rank >= 2; the front-end promotes 1-D operands before recording):
 * dA = g @ Bᵀ and dB = Aᵀ @ g, each summed over the batch dims it was broadcast along. The transposes are
 * views, so no copy is made.
 */
import { matmul, reshape, type Tensor, transpose } from '@norga/tensor';
import { at, type VjpRule } from './rule.js';
import { unbroadcast } from './unbroadcast.js';

/**
 * dB for a 2-D B shared by every batch (x[..., M, K] @ W[K, N], the shape of every linear layer): the batch
 * folds into the contraction, dB = A₂ᵀ @ g₂ with A₂ = A as [(...·M), K], one product instead of a batched one
 * followed by a sum over a batch-sized intermediate.
 */
function sharedWeightGrad(a: Tensor, g: Tensor): Tensor {
  const k = a.shape[a.rank - 1]!;
  const n = g.shape[g.rank - 1]!;
  return matmul(transpose(reshape(a, [-1, k]), -2, -1), reshape(g, [-1, n]));
}

export const MATMUL_RULE: VjpRule<'matmul'> = {
  save: ({ inputs, needs }) => [needs[1] ? inputs[0]! : null, needs[0] ? inputs[1]! : null],
  backward: (g, s, ctx) => [
    ctx.needs[0] ? unbroadcast(matmul(g, transpose(at(s, 1, 'matmul'), -2, -1)), ctx.inputShapes[0]!) : null,
    !ctx.needs[1]
      ? null
      : ctx.inputShapes[1]!.length === 2 && ctx.inputShapes[0]!.length > 2
        ? sharedWeightGrad(at(s, 0, 'matmul'), g)
        : unbroadcast(matmul(transpose(at(s, 0, 'matmul'), -2, -1), g), ctx.inputShapes[1]!),
  ],
};
