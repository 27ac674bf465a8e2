/** The rule table: every differentiable primitive of `@norga/tensor`, by the name the recorder reports. */
import { type BinaryOp, type DType, expr as E, type Expr, type UnaryOp } from '@norga/tensor';
import { BINARY_DERIVATIVES, UNARY_DERIVATIVES } from './derivatives.js';
import { elementwiseRule } from './elementwise.js';
import { MATMUL_RULE } from './matmul.js';
import { MOVEMENT_RULES } from './movement.js';
import { NN_RULES } from './nn.js';
import { REDUCE_RULES } from './reduce.js';
import type { VjpRule } from './rule.js';
import { VIEW_RULES } from './views.js';

/** Every elementwise primitive is the one-node case of a fused expression, and shares its rule. */
const oneNode = (e: Expr) => elementwiseRule(() => e);
const $0 = E.input(0);
const $1 = E.input(1);
const UNARY_RULES = Object.fromEntries(
  Object.keys(UNARY_DERIVATIVES).map((op) => [op, oneNode(E.un(op as UnaryOp, $0))]),
);
const BINARY_RULES = Object.fromEntries(
  Object.entries(BINARY_DERIVATIVES)
    .filter(([, d]) => d !== null)
    .map(([op]) => [op, oneNode(E.bin(op as BinaryOp, $0, $1))]),
);

/** The gradient rule of every differentiable primitive, by op name. */
export const RULES: Readonly<Record<string, VjpRule>> = {
  ...UNARY_RULES,
  ...BINARY_RULES,
  where: oneNode(E.select($0, $1, E.input(2))),
  cast: elementwiseRule((attrs) => E.castTo(attrs.dtype as DType, $0)),
  ...REDUCE_RULES,
  matmul: MATMUL_RULE,
  ...VIEW_RULES,
  ...MOVEMENT_RULES,
  fused: elementwiseRule((attrs) => attrs.expr as Expr),
  ...NN_RULES,
};

/**
 * Ops whose outputs are never differentiable (integer or boolean results): the recorder skips them, since
 * it only records ops with a float output. Listed for documentation and for the coverage test.
 */
export const NON_DIFFERENTIABLE = ['cmplt', 'cmpeq', 'reduce.argmax', 'reduce.argmin'] as const;

export type { BackwardContext, SaveContext, VjpRule } from './rule.js';
