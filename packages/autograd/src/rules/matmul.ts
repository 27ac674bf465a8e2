/**
 * Batched matmul C = A @ B (rank >= 2; the front-end promotes 1-D operands before recording):
 * dA = g @ Bᵀ and dB = Aᵀ @ g, each summed over the batch dims it was broadcast along. The transposes are
 * views, so no copy is made.
 */
import { matmul, transpose } from '@norga/tensor';
import { at, type VjpRule } from './rule.js';
import { unbroadcast } from './unbroadcast.js';

export const MATMUL_RULE: VjpRule = {
  save: ({ inputs, needs }) => [needs[1] ? inputs[0]! : null, needs[0] ? inputs[1]! : null],
  backward: (g, s, ctx) => [
    ctx.needs[0] ? unbroadcast(matmul(g, transpose(at(s, 1, 'matmul'), -2, -1)), ctx.inputShapes[0]!) : null,
    ctx.needs[1] ? unbroadcast(matmul(transpose(at(s, 0, 'matmul'), -2, -1), g), ctx.inputShapes[1]!) : null,
  ],
};
