/** View ops: the gradient of a view is the inverse view of g (or, for expand, a sum). */
import { pad, permute, reshape, slice, unsqueeze } from '@norga/tensor';
import type { RuleTable, VjpRule } from './rule.js';
import { unbroadcast } from './unbroadcast.js';

const RESHAPE: VjpRule<'reshape'> = { backward: (g, _s, ctx) => [reshape(g, ctx.inputShapes[0]!)] };

const PERMUTE: VjpRule<'permute'> = {
  backward: (g, _s, ctx) => {
    const dims = ctx.attrs.dims;
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => {
      inverse[d] = i;
    });
    return [permute(g, inverse)];
  },
};

/** expand is a broadcast, so its adjoint is unbroadcast. */
const EXPAND: VjpRule<'expand'> = { backward: (g, _s, ctx) => [unbroadcast(g, ctx.inputShapes[0]!)] };

/**
 * slice(axis, start, end, step) picked elements start, start+step, ...; they get g, the rest 0. With step 1
 * that is a pad; with a larger step, g is first interleaved with step-1 zeros along the axis.
 */
const SLICE: VjpRule<'slice'> = {
  backward: (g, _s, ctx) => {
    const { axis, start, step } = ctx.attrs;
    const dim = ctx.inputShapes[0]![axis]!;
    const n = g.shape[axis]!;
    let spread = g;
    if (step > 1 && n > 0) {
      const lifted = unsqueeze(g, axis + 1);
      const gaps = lifted.shape.map((_, i) =>
        i === axis + 1 ? ([0, step - 1] as const) : ([0, 0] as const),
      );
      const shape = [...g.shape];
      shape[axis] = n * step;
      // Elements past the input's end are all padding: trim them so the result fits.
      spread = slice(reshape(pad(lifted, gaps), shape), axis, 0, Math.min(n * step, dim - start));
    }
    // An empty slice (n = 0) may report start = dim; its gradient is all zeros.
    const before = n === 0 ? 0 : start;
    const len = spread.shape[axis]!;
    return [
      pad(
        spread,
        g.shape.map((_, i) => (i === axis ? ([before, dim - before - len] as const) : ([0, 0] as const))),
      ),
    ];
  },
};

const CONTIGUOUS: VjpRule<'contiguous'> = { backward: (g) => [g] };

/** pad: the gradient is the interior window of g. */
const PAD: VjpRule<'pad'> = {
  backward: (g, _s, ctx) => {
    const pads = ctx.attrs.pads;
    const shape = ctx.inputShapes[0]!;
    let out = g;
    pads.forEach(([before], axis) => {
      if (before !== 0 || out.shape[axis] !== shape[axis])
        out = slice(out, axis, before, before + shape[axis]!);
    });
    return [out];
  },
};

/** concat: each part's gradient is its window of g along the axis. */
const CONCAT: VjpRule<'concat'> = {
  backward: (g, _s, ctx) => {
    const axis = ctx.attrs.axis;
    let at = 0;
    return ctx.inputShapes.map((shape, i) => {
      const from = at;
      at += shape[axis]!;
      return ctx.needs[i] ? slice(g, axis, from, from + shape[axis]!) : null;
    });
  },
};

export const VIEW_RULES: RuleTable<
  'reshape' | 'permute' | 'expand' | 'slice' | 'contiguous' | 'pad' | 'concat'
> = {
  reshape: RESHAPE,
  permute: PERMUTE,
  expand: EXPAND,
  slice: SLICE,
  contiguous: CONTIGUOUS,
  pad: PAD,
  concat: CONCAT,
};
