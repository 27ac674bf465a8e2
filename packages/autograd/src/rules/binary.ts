/**
 * Binary elementwise ops, which broadcast: each operand's gradient is computed at the output's shape and then
 * summed back to the operand's own shape (unbroadcast).
 */
import {
  cast,
  div,
  eq,
  ge,
  log,
  logicalAnd,
  lt,
  mul,
  neg,
  pow,
  sub,
  type Tensor,
  where,
} from '@norga/tensor';
import { at, type BackwardContext, type VjpRule } from './rule.js';
import { unbroadcast } from './unbroadcast.js';

/** Applies unbroadcast to each computed gradient, leaving the ones not asked for as null. */
function shaped(ctx: BackwardContext, ...grads: (() => Tensor)[]): (Tensor | null)[] {
  return grads.map((make, i) => (ctx.needs[i] ? unbroadcast(make(), ctx.inputShapes[i]!) : null));
}

/**
 * maximum/minimum: the gradient goes to the operand that won; on a tie each operand gets half (as PyTorch's
 * torch.maximum / torch.minimum).
 */
function extremum(op: 'max' | 'min'): VjpRule {
  return {
    save: ({ inputs }) => [inputs[0]!, inputs[1]!],
    backward: (g, s, ctx) => {
      const a = at(s, 0, op);
      const b = at(s, 1, op);
      const half = mul(g, 0.5);
      const tie = eq(a, b);
      const share = (winner: Tensor, loser: Tensor) => {
        const wins = op === 'max' ? lt(loser, winner) : lt(winner, loser);
        return where(wins, g, where(tie, half, 0));
      };
      return shaped(
        ctx,
        () => share(a, b),
        () => share(b, a),
      );
    },
  };
}

export const BINARY_RULES: Record<string, VjpRule> = {
  add: {
    backward: (g, _s, ctx) =>
      shaped(
        ctx,
        () => g,
        () => g,
      ),
  },
  sub: {
    backward: (g, _s, ctx) =>
      shaped(
        ctx,
        () => g,
        () => neg(g),
      ),
  },
  mul: {
    // d(ab)/da = b and d(ab)/db = a: each gradient needs the other operand.
    save: ({ inputs, needs }) => [needs[1] ? inputs[0]! : null, needs[0] ? inputs[1]! : null],
    backward: (g, s, ctx) =>
      shaped(
        ctx,
        () => mul(g, at(s, 1, 'mul')),
        () => mul(g, at(s, 0, 'mul')),
      ),
  },
  div: {
    save: ({ inputs, needs }) => [needs[1] ? inputs[0]! : null, inputs[1]!],
    backward: (g, s, ctx) => {
      const b = at(s, 1, 'div');
      // d(a/b)/db = -a/b², evaluated as -g·((a/b)/b), PyTorch's order of operations.
      return shaped(
        ctx,
        () => div(g, b),
        () => neg(mul(g, div(div(at(s, 0, 'div'), b), b))),
      );
    },
  },
  max: extremum('max'),
  min: extremum('min'),
  pow: {
    save: ({ inputs, output, needs }) => [inputs[0]!, inputs[1]!, needs[1] ? output : null],
    backward: (g, s, ctx) => {
      const a = at(s, 0, 'pow');
      const b = at(s, 1, 'pow');
      return shaped(
        ctx,
        // b·a^(b-1), and exactly 0 where b = 0 (PyTorch's pow_backward_self), so 0^0 gives no NaN.
        () => where(eq(b, 0), 0, mul(g, mul(b, pow(a, sub(b, 1))))),
        // a^b·log(a), and 0 where a = 0 and b >= 0 (the limit; PyTorch's pow_backward_exponent).
        () => {
          const zeroBase = logicalAnd(eq(a, 0), ge(b, 0));
          return mul(g, where(zeroBase, 0, mul(at(s, 2, 'pow'), log(a))));
        },
      );
    },
  },
};

/** where(cond, a, b): the gradient goes to a where cond holds and to b elsewhere; cond has none. */
export const WHERE_RULE: VjpRule = {
  save: ({ inputs }) => [inputs[0]!],
  backward: (g, s, ctx) => {
    const cond = at(s, 0, 'where');
    return [
      null,
      ctx.needs[1] ? unbroadcast(where(cond, g, 0), ctx.inputShapes[1]!) : null,
      ctx.needs[2] ? unbroadcast(where(cond, 0, g), ctx.inputShapes[2]!) : null,
    ];
  },
};

/** cast between float dtypes: the gradient is cast back. (Casts to int or bool produce no gradient at all.) */
export const CAST_RULE: VjpRule = {
  backward: (g, _s, ctx) => [g.dtype === ctx.inputDTypes[0] ? g : cast(g, ctx.inputDTypes[0]!)],
};
