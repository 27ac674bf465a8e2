/** The rule table: every differentiable primitive of `@norga/tensor`, by the name the recorder reports. */
import { BINARY_RULES, CAST_RULE, WHERE_RULE } from './binary.js';
import { FUSED_RULE } from './fused.js';
import { MATMUL_RULE } from './matmul.js';
import { MOVEMENT_RULES } from './movement.js';
import { REDUCE_RULES } from './reduce.js';
import type { VjpRule } from './rule.js';
import { UNARY_RULES } from './unary.js';
import { VIEW_RULES } from './views.js';

export const RULES: Readonly<Record<string, VjpRule>> = {
  ...UNARY_RULES,
  ...BINARY_RULES,
  where: WHERE_RULE,
  cast: CAST_RULE,
  ...REDUCE_RULES,
  matmul: MATMUL_RULE,
  ...VIEW_RULES,
  ...MOVEMENT_RULES,
  fused: FUSED_RULE,
};

/**
 * Ops whose outputs are never differentiable (integer or boolean results): the recorder skips them, since
 * it only records ops with a float output. Listed for documentation and for the coverage test.
 */
export const NON_DIFFERENTIABLE = ['cmplt', 'cmpeq', 'reduce.argmax', 'reduce.argmin'] as const;

export type { VjpRule } from './rule.js';
