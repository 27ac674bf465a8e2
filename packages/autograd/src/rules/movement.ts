/** Indexing: gather and scatterAdd are each other's adjoints. Index tensors have no gradient. */
import { gather, pad, sameShape, scatterAdd, zeros } from '@norga/tensor';
import { at, type RuleTable, type VjpRule } from './rule.js';

/** out = x[index] along axis, so dL/dx adds g into the gathered positions (duplicates accumulate). */
const GATHER: VjpRule<'gather'> = {
  save: ({ inputs }) => [inputs[1]!],
  backward: (g, s, ctx) => {
    const base = zeros(ctx.inputShapes[0]!, { dtype: g.dtype, backend: g.backend.name });
    return [scatterAdd(base, ctx.attrs.axis, at(s, 0, 'gather'), g), null];
  },
};

/** out = x + scatter(src), so dL/dx = g and dL/dsrc = g read back at the scattered positions. */
const SCATTER_ADD: VjpRule<'scatterAdd'> = {
  save: ({ inputs, needs }) => [needs[2] ? inputs[1]! : null],
  backward: (g, s, ctx) => {
    let gsrc = null;
    if (ctx.needs[2]) {
      const index = at(s, 0, 'scatterAdd');
      gsrc = gather(g, ctx.attrs.axis, index);
      // src entries outside the index's extent were never scattered: their gradient is 0.
      const srcShape = ctx.inputShapes[2]!;
      if (!sameShape(gsrc.shape, srcShape))
        gsrc = pad(
          gsrc,
          srcShape.map((d, i) => [0, d - index.shape[i]!] as const),
        );
    }
    return [ctx.needs[0] ? g : null, null, gsrc];
  },
};

export const MOVEMENT_RULES: RuleTable<'gather' | 'scatterAdd'> = {
  gather: GATHER,
  scatterAdd: SCATTER_ADD,
};
