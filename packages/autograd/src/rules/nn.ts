/**
 * softmax, logSoftmax, layerNorm and attention: composites that `@norga/tensor` reports as one op each, so their
 * gradient is the closed form (PyTorch's _softmax_backward_data, _log_softmax_backward_data,
 * native_layer_norm_backward, the math backward of scaled_dot_product_attention) in a few kernels, rather than
 * the chain rule through every kernel of the forward.
 */
import { arg, fused, lit, matmul, sum, type Tensor, transpose } from '@norga/tensor';
import { at, type RuleTable, type VjpRule } from './rule.js';

/** dx = y·(g - sum(g·y)): inputs g·y, y, sum(g·y). */
const SOFTMAX_DX = arg(0).sub(arg(1).mul(arg(2)));
/** dx = g - exp(y)·sum(g): inputs g, y, sum(g). */
const LOG_SOFTMAX_DX = arg(0).sub(arg(1).exp().mul(arg(2))).expr;
const PRODUCT = arg(0).mul(arg(1)).expr;

const softmaxRule: VjpRule<'softmax'> = {
  save: ({ output }) => [output],
  backward: (g, s, ctx) => {
    const y = at(s, 0, 'softmax');
    const gy = fused(PRODUCT, [g, y]);
    const dot = sum(gy, ctx.attrs.axis, true);
    return [fused(SOFTMAX_DX.expr, [gy, y, dot])];
  },
};

const logSoftmaxRule: VjpRule<'logSoftmax'> = {
  save: ({ output }) => [output],
  backward: (g, s, ctx) => {
    const y = at(s, 0, 'logSoftmax');
    return [fused(LOG_SOFTMAX_DX, [g, y, sum(g, ctx.attrs.axis, true)])];
  },
};

/**
 * layerNorm with x̂ = (x - mean)·rstd and ĝ = g·weight (g without a weight), over the N normalised elements
 * of each row: dx = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)), dweight = Σ g·x̂ and dbias = Σ g over the other dims.
 * x̂ is recomputed inside each kernel from the saved x, mean and rstd.
 */
const layerNormRule: VjpRule<'layerNorm'> = {
  save: ({ inputs, attrs }) => [
    inputs[0]!,
    attrs.weight ? inputs[1]! : null,
    attrs.mean ?? null,
    attrs.rstd ?? null,
  ],
  backward: (g, s, ctx) => {
    const x = at(s, 0, 'layerNorm');
    const mu = at(s, 2, 'layerNorm');
    const rstd = at(s, 3, 'layerNorm');
    const { weight: hasWeight, bias: hasBias, axes } = ctx.attrs;
    const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
    // the kernels' inputs: g, x, mean, rstd, [weight], then for dx Σĝ and Σĝx̂
    const input = (i: number) => arg(i, x.dtype);
    const rstdIn = input(3);
    const xhat = input(1).sub(input(2)).mul(rstdIn);
    const ghat = hasWeight ? input(0).mul(input(4)) : input(0);
    const operands = [g, x, mu, rstd, ...(hasWeight ? [at(s, 1, 'layerNorm')] : [])];
    const grads: (Tensor | null)[] = [];
    if (ctx.needs[0]) {
      const sumG = sum(fused(ghat.expr, operands), axes, true);
      const sumGX = sum(fused(ghat.mul(xhat).expr, operands), axes, true);
      // dx = rstd·(ĝ - (Σĝ + x̂·Σĝx̂)/N): inputs g, x, mean, rstd, [weight], Σĝ, Σĝx̂
      const [sG, sGX] = hasWeight ? [input(5), input(6)] : [input(4), input(5)];
      const dx = rstdIn.mul(ghat.sub(sG.add(xhat.mul(sGX)).div(n)));
      grads.push(fused(dx.expr, [...operands, sumG, sumGX]));
    } else grads.push(null);
    const lead = [...Array(x.rank - axes.length).keys()];
    if (hasWeight) grads.push(ctx.needs[1] ? sum(fused(input(0).mul(xhat).expr, operands), lead) : null);
    if (hasBias) grads.push(ctx.needs[hasWeight ? 2 : 1] ? sum(g, lead) : null);
    return grads;
  },
};

/**
 * attention, out = P @ v with P = softmax(scale · q @ kᵀ) (saved by the forward): dv = Pᵀ @ g, dP = g @ vᵀ,
 * dS = scale · P·(dP - sum(dP·P)) (the softmax rule, scaled), dq = dS @ k, dk = dSᵀ @ q.
 */
const attentionRule: VjpRule<'attention'> = {
  save: ({ inputs, attrs }) => [inputs[0]!, inputs[1]!, inputs[2]!, attrs.probs],
  backward: (g, s, ctx) => {
    const [q, k, v, p] = [0, 1, 2, 3].map((i) => at(s, i, 'attention')) as [Tensor, Tensor, Tensor, Tensor];
    const scale = ctx.attrs.scale;
    const dv = ctx.needs[2] ? matmul(transpose(p), g) : null;
    if (!ctx.needs[0] && !ctx.needs[1]) return [null, null, dv];
    const gp = fused(PRODUCT, [matmul(g, transpose(v)), p]);
    const dot = sum(gp, -1, true);
    // inputs g·P, P, sum(g·P)
    const ds = fused(SOFTMAX_DX.mul(lit(scale, p.dtype)).expr, [gp, p, dot]);
    return [ctx.needs[0] ? matmul(ds, k) : null, ctx.needs[1] ? matmul(transpose(ds), q) : null, dv];
  },
};

export const NN_RULES: RuleTable<'attention' | 'softmax' | 'logSoftmax' | 'layerNorm'> = {
  attention: attentionRule,
  softmax: softmaxRule,
  logSoftmax: logSoftmaxRule,
  layerNorm: layerNormRule,
};
