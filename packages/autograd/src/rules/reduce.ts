/**
 * Reductions. sum spreads g back over the reduced axes; max/min send it to the elements equal to the
 * extreme, split evenly between ties (PyTorch's amax/amin and full max()/min() behave so).
 */
import {
  cast,
  div,
  eq,
  expand,
  mul,
  type ReducePrimitive,
  reshape,
  sameShape,
  sum,
  type Tensor,
} from '@norga/tensor';
import { at, type BackwardContext, type RuleTable, type VjpRule } from './rule.js';

type Reduction = Exclude<ReducePrimitive, 'reduce.argmax' | 'reduce.argmin'>;

/** The reduced axes, as the forward reported them. */
function axesOf(ctx: BackwardContext<Reduction>): number[] {
  const rank = ctx.inputShapes[0]!.length;
  return ctx.attrs.axes.map((a) => (a < 0 ? a + rank : a));
}

/** g reshaped to the input's rank, with size 1 on the reduced axes (undoing keepdim = false). */
function keptDims(t: Tensor, ctx: BackwardContext<Reduction>): Tensor {
  const axes = axesOf(ctx);
  const kept = ctx.inputShapes[0]!.map((d, i) => (axes.includes(i) ? 1 : d));
  return sameShape(t.shape, kept) ? t : reshape(t, kept);
}

const SUM: VjpRule<'reduce.sum'> = {
  backward: (g, _s, ctx) => [expand(keptDims(g, ctx), ctx.inputShapes[0]!)],
};

function extremum<P extends 'reduce.max' | 'reduce.min'>(op: P): VjpRule<P> {
  return {
    save: ({ inputs, output }) => [inputs[0]!, output],
    backward: (g, s, ctx) => {
      const x = at(s, 0, op);
      const mask = cast(eq(x, keptDims(at(s, 1, op), ctx)), g.dtype);
      const count = sum(mask, axesOf(ctx), true);
      return [mul(mask, div(keptDims(g, ctx), count))];
    },
  };
}

/** argmax/argmin give int32: the recorder never records them (see NON_DIFFERENTIABLE). */
export const REDUCE_RULES: RuleTable<Reduction> = {
  'reduce.sum': SUM,
  'reduce.max': extremum('reduce.max'),
  'reduce.min': extremum('reduce.min'),
};
