/**
 * One rule for every elementwise op, primitive or fused: reverse mode run symbolically over the op's
 * expression tree. The upstream gradient g joins the tree as one more input; walking the tree from the root,
 * each node hands its adjoint to its children through the derivative table (./derivatives.ts). The result is
 * one expression per operand that wants a gradient, each compiled into one kernel, then summed back over the
 * broadcast axes. So `mul` costs one kernel per operand, and gelu's backward is one kernel instead of a dozen,
 * and a constant inside a composite (the 0.5 of gelu) never gets a gradient computed only to be dropped.
 */
import {
  type DType,
  expr as E,
  Ex,
  type Expr,
  fused,
  isFloat,
  lit,
  type Primitive,
  type PrimitiveAttrs,
  type Tensor,
} from '@norga/tensor';
import { GradError } from '../errors.js';
import { BINARY_DERIVATIVES, type Site, UNARY_DERIVATIVES } from './derivatives.js';
import type { BackwardContext, VjpRule } from './rule.js';
import { unbroadcast } from './unbroadcast.js';

/** An operand's gradient: an expression over `uses` (indices into the forward inputs; `inputs.length` is g). */
interface OperandGradient {
  readonly expr: Expr;
  readonly uses: readonly number[];
  /** The expression is g itself (add, sub's first operand): no kernel at all. */
  readonly isG: boolean;
}

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

function unknown(op: string): never {
  throw new GradError('backward', `no gradient rule for '${op}' inside a fused expression`);
}

/** Rewrites input indices through `map` (old index -> new index). */
function remap(e: Expr, map: ReadonlyMap<number, number>): Expr {
  switch (e.kind) {
    case 'input':
      return E.input(map.get(e.index)!);
    case 'const':
      return e;
    case 'unary':
      return E.un(e.op, remap(e.x, map));
    case 'binary':
      return E.bin(e.op, remap(e.a, map), remap(e.b, map));
    case 'where':
      return E.select(remap(e.cond, map), remap(e.a, map), remap(e.b, map));
    case 'cast':
      return E.castTo(e.to, remap(e.x, map));
  }
}

function inputsOf(e: Expr, into: Set<number>): Set<number> {
  if (e.kind === 'input') into.add(e.index);
  for (const c of children(e)) inputsOf(c, into);
  return into;
}

/**
 * dL/d(input i) for each input that `needs` a gradient, as expressions over the inputs and g (the input
 * numbered inputDTypes.length). Null where no gradient is wanted or none flows (ints, bools, constants).
 */
export function gradientExpressions(
  root: Expr,
  inputDTypes: readonly DType[],
  needs: readonly boolean[],
): (OperandGradient | null)[] {
  const n = inputDTypes.length;
  const g = E.input(n);
  const order = postOrder(root);
  // An op the table has outgrown must be an error, never a silently dropped gradient.
  for (const e of order) {
    if (e.kind === 'unary' && !(e.op in UNARY_DERIVATIVES)) unknown(e.op);
    if (e.kind === 'binary' && !(e.op in BINARY_DERIVATIVES)) unknown(e.op);
  }
  const dtypeOf = (e: Expr) => E.exprDType(e, inputDTypes);
  // A node is live when a gradient through it reaches an input that wants one.
  const live = new Map<Expr, boolean>();
  for (const e of order) {
    const here =
      e.kind === 'input'
        ? needs[e.index] === true && isFloat(inputDTypes[e.index]!)
        : children(e).some((c) => live.get(c)) && isFloat(dtypeOf(e));
    live.set(e, here);
  }
  const adjoint = new Map<Expr, Expr>();
  adjoint.set(root, g);
  const pass = (child: Expr, contribution: () => Expr) => {
    if (!live.get(child)) return;
    const prev = adjoint.get(child);
    adjoint.set(child, prev ? E.bin('add', prev, contribution()) : contribution());
  };
  const grads: (Expr | null)[] = inputDTypes.map(() => null);
  for (let k = order.length - 1; k >= 0; k--) {
    const e = order[k]!;
    const ge = adjoint.get(e);
    if (ge === undefined || !live.get(e)) continue;
    const dtype = dtypeOf(e);
    const site: Site = { y: new Ex(e, dtype), dtype, c: (v) => lit(v, dtype) };
    const adj = new Ex(ge, dtype);
    const operand = (x: Expr) => new Ex(x, dtypeOf(x));
    switch (e.kind) {
      case 'input': {
        const prev = grads[e.index];
        grads[e.index] = prev ? E.bin('add', prev, ge) : ge;
        break;
      }
      case 'const':
        break;
      case 'unary': {
        const d = UNARY_DERIVATIVES[e.op];
        pass(e.x, () => d(adj, operand(e.x), site).expr);
        break;
      }
      case 'binary': {
        const d = BINARY_DERIVATIVES[e.op];
        if (d === null) break;
        // the constants of a binary op's derivative have its operands' dtype, which is the node's own
        pass(e.a, () => d[0](adj, operand(e.a), operand(e.b), site).expr);
        pass(e.b, () => d[1](adj, operand(e.a), operand(e.b), site).expr);
        break;
      }
      case 'where':
        pass(e.a, () => operand(e.cond).where(adj, 0).expr);
        pass(e.b, () => operand(e.cond).where(0, adj).expr);
        break;
      case 'cast': {
        const from = dtypeOf(e.x);
        pass(e.x, () => (from === dtype ? ge : E.castTo(from, ge)));
        break;
      }
    }
  }
  return grads.map((expr) => {
    if (expr === null) return null;
    const uses = [...inputsOf(expr, new Set())].sort((a, b) => a - b);
    const map = new Map(uses.map((u, j) => [u, j]));
    return { expr: remap(expr, map), uses, isG: expr.kind === 'input' && expr.index === n };
  });
}

/** Plans by expression structure, input dtypes and which inputs want gradients: built once, reused. */
const plans = new Map<string, (OperandGradient | null)[]>();

function planFor(root: Expr, dtypes: readonly DType[], needs: readonly boolean[]) {
  const key = `${E.exprKey(root)}|${dtypes.join(',')}|${needs.map(Number).join('')}`;
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = gradientExpressions(root, dtypes, needs);
    plans.set(key, plan);
  }
  return plan;
}

/** The rule of an elementwise primitive P whose expression `exprOf` gives (from its recorded attrs). */
export function elementwiseRule<P extends Primitive>(exprOf: (attrs: PrimitiveAttrs[P]) => Expr): VjpRule<P> {
  return {
    // Save just the inputs some gradient expression reads (a `mul` by a constant saves only the constant).
    save: ({ inputs, attrs, needs }) => {
      let plan: (OperandGradient | null)[];
      try {
        plan = planFor(
          exprOf(attrs),
          inputs.map((t) => t.dtype),
          needs,
        );
      } catch {
        return [...inputs]; // backward will raise the error with the op's name
      }
      const read = new Set(plan.flatMap((p) => p?.uses ?? []));
      return inputs.map((t, i) => (read.has(i) ? t : null));
    },
    backward: (g: Tensor, saved: readonly (Tensor | null)[], ctx: BackwardContext<P>) => {
      const n = ctx.inputDTypes.length;
      const plan = planFor(exprOf(ctx.attrs), ctx.inputDTypes, ctx.needs);
      return plan.map((p, i) => {
        if (p === null) return null;
        const grad = p.isG
          ? g
          : fused(
              p.expr,
              p.uses.map((u) => (u === n ? g : saved[u]!)),
            );
        return unbroadcast(grad, ctx.inputShapes[i]!);
      });
    },
  };
}
