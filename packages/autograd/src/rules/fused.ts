/**
 * fused: an elementwise expression tree run as one kernel. Its gradient is the chain rule over the tree: the
 * sub-expressions are evaluated again as ordinary ops (recording is paused during backward), then each tree
 * node's adjoint is pushed to its children with the same rules the primitives use. So a fused kernel needs no
 * hand-written derivative and cannot disagree with the unfused ops.
 */
import {
  abs,
  add,
  cast,
  cos,
  type DType,
  div,
  type Expr,
  eq,
  erf,
  exp,
  full,
  log,
  lt,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  reciprocal,
  sin,
  sqrt,
  sub,
  type Tensor,
  tanh,
  where,
} from '@norga/tensor';
import { GradError } from '../errors.js';
import { BINARY_RULES, CAST_RULE, WHERE_RULE } from './binary.js';
import type { BackwardContext, VjpRule } from './rule.js';
import { UNARY_RULES } from './unary.js';
import { unbroadcast } from './unbroadcast.js';

const UNARY_FN: Record<string, (x: Tensor) => Tensor> = {
  neg,
  exp,
  log,
  sqrt,
  reciprocal,
  sin,
  cos,
  tanh,
  erf,
  abs,
};
const BINARY_FN: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  add,
  sub,
  mul,
  div,
  pow,
  max: maximum,
  min: minimum,
  cmplt: lt,
  cmpeq: eq,
};

function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'input':
    case 'const':
      return [];
    case 'unary':
    case 'cast':
      return [e.x];
    case 'binary':
      return [e.a, e.b];
    case 'where':
      return [e.cond, e.a, e.b];
  }
}

/** Post-order over the distinct nodes (a tree may share sub-expressions). */
function postOrder(root: Expr): Expr[] {
  const order: Expr[] = [];
  const seen = new Set<Expr>();
  const visit = (e: Expr) => {
    if (seen.has(e)) return;
    seen.add(e);
    for (const c of children(e)) visit(c);
    order.push(e);
  };
  visit(root);
  return order;
}

/** An op of the expression, or a clear error if the op table has grown past what this rule knows. */
function lookup<F>(table: Record<string, F>, op: string): F {
  const fn = table[op];
  if (fn === undefined)
    throw new GradError('backward', `no gradient rule for '${op}' inside a fused expression`);
  return fn;
}

function evaluate(e: Expr, values: Map<Expr, Tensor>, inputs: readonly Tensor[], backend: string): Tensor {
  const v = (c: Expr) => values.get(c)!;
  switch (e.kind) {
    case 'input':
      return inputs[e.index]!;
    case 'const':
      return full([], e.value, { dtype: e.dtype, backend });
    case 'unary':
      return lookup(UNARY_FN, e.op)(v(e.x));
    case 'binary':
      return lookup(BINARY_FN, e.op)(v(e.a), v(e.b));
    case 'where':
      return where(v(e.cond), v(e.a), v(e.b));
    case 'cast':
      return cast(v(e.x), e.to);
  }
}

function ruleFor(e: Expr): VjpRule | undefined {
  switch (e.kind) {
    case 'unary':
      return UNARY_RULES[e.op];
    case 'binary':
      return BINARY_RULES[e.op];
    case 'where':
      return WHERE_RULE;
    case 'cast':
      return CAST_RULE;
    default:
      return undefined;
  }
}

const isFloat = (d: DType) => d === 'float32' || d === 'float64';

export const FUSED_RULE: VjpRule = {
  save: ({ inputs }) => [...inputs],
  backward: (g, saved, ctx) => {
    const inputs = saved as Tensor[];
    const order = postOrder(ctx.attrs.expr as Expr);
    const values = new Map<Expr, Tensor>();
    for (const e of order) values.set(e, evaluate(e, values, inputs, g.backend.name));
    const adjoint = new Map<Expr, Tensor>([[order[order.length - 1]!, g]]);
    const grads: (Tensor | null)[] = inputs.map(() => null);
    for (let k = order.length - 1; k >= 0; k--) {
      const e = order[k]!;
      const ge = adjoint.get(e);
      if (!ge) continue;
      if (e.kind === 'input') {
        const prev = grads[e.index];
        grads[e.index] = prev ? add(prev, ge) : ge;
        continue;
      }
      const rule = ruleFor(e);
      if (!rule) {
        // Only comparisons (bool results) may lack a rule; a float op without one must not drop its gradient.
        if (e.kind !== 'const' && isFloat(values.get(e)!.dtype))
          throw new GradError(
            'backward',
            `no gradient rule for '${(e as { op?: string }).op}' inside a fused expression`,
          );
        continue;
      }
      const kids = children(e);
      const vals = kids.map((c) => values.get(c)!);
      const needs = vals.map((t) => isFloat(t.dtype));
      const out = values.get(e)!;
      const savedHere = rule.save?.({ inputs: vals, output: out, attrs: {}, needs }) ?? [];
      const sub: BackwardContext = {
        attrs: {},
        needs,
        inputShapes: vals.map((t) => t.shape),
        inputDTypes: vals.map((t) => t.dtype),
        outShape: out.shape,
        outDType: out.dtype,
      };
      rule.backward(ge, savedHere, sub).forEach((gc, i) => {
        if (!gc || !needs[i]) return;
        const c = kids[i]!;
        const prev = adjoint.get(c);
        adjoint.set(c, prev ? add(prev, gc) : gc);
      });
    }
    return grads.map((gi, i) => (gi && ctx.needs[i] ? unbroadcast(gi, ctx.inputShapes[i]!) : null));
  },
};
