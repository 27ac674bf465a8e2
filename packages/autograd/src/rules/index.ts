/** The rule table: every differentiable primitive of `@norga/tensor`, by the name the recorder reports. */
import { type BinaryOp, expr as E, type Primitive, type UnaryOp } from '@norga/tensor';
import { UNARY_DERIVATIVES } from './derivatives.js';
import { elementwiseRule } from './elementwise.js';
import { MATMUL_RULE } from './matmul.js';
import { MOVEMENT_RULES } from './movement.js';
import { NN_RULES } from './nn.js';
import { REDUCE_RULES } from './reduce.js';
import type { RuleTable } from './rule.js';
import { VIEW_RULES } from './views.js';

/**
 * Ops whose outputs are never differentiable (integer or boolean results): the recorder skips them, since
 * it only records ops with a float output, and the rule table leaves them out.
 */
export const NON_DIFFERENTIABLE = [
  'cmplt',
  'cmpeq',
  'reduce.argmax',
  'reduce.argmin',
] as const satisfies readonly Primitive[];

/** The primitives that have a gradient rule. */
export type Differentiable = Exclude<Primitive, (typeof NON_DIFFERENTIABLE)[number]>;

/** Every elementwise primitive is the one-node case of a fused expression, and shares its rule. */
const [a, b, c] = [E.input(0), E.input(1), E.input(2)];
const unaryRule = (op: UnaryOp) => elementwiseRule(() => E.un(op, a));
const binaryRule = (op: BinaryOp) => elementwiseRule(() => E.bin(op, a, b));

/**
 * The gradient rule of every differentiable primitive, by op name. Its type maps each primitive to a rule for
 * it, so a new primitive without a rule (or without a derivative in ./derivatives.ts) does not compile.
 */
export const RULES: RuleTable<Differentiable> = {
  ...mapKeys(UNARY_DERIVATIVES, unaryRule),
  add: binaryRule('add'),
  sub: binaryRule('sub'),
  mul: binaryRule('mul'),
  div: binaryRule('div'),
  max: binaryRule('max'),
  min: binaryRule('min'),
  pow: binaryRule('pow'),
  where: elementwiseRule(() => E.select(a, b, c)),
  cast: elementwiseRule<'cast'>((attrs) => E.castTo(attrs.dtype, a)),
  ...REDUCE_RULES,
  matmul: MATMUL_RULE,
  ...VIEW_RULES,
  ...MOVEMENT_RULES,
  fused: elementwiseRule<'fused'>((attrs) => attrs.expr),
  ...NN_RULES,
};

/** Whether `op` has a rule (the non-differentiable primitives have none). */
export function isDifferentiable(op: Primitive): op is Differentiable {
  return Object.hasOwn(RULES, op);
}

/** { k: f(k) } for each key of `table`, typed as a mapped type over its keys. */
function mapKeys<K extends string, V>(
  table: { readonly [P in K]: unknown },
  f: (k: K) => V,
): { [P in K]: V } {
  const out = {} as { [P in K]: V };
  for (const k of Object.keys(table) as K[]) out[k] = f(k);
  return out;
}

export type { BackwardContext, RuleTable, SaveContext, VjpRule } from './rule.js';
