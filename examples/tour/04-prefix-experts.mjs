#!/usr/bin/env node
/**
 * Tour stop 6: attention with prefixes is a mixture of experts, and NoRGa is a gate on its prefix experts.
 * @norga/vit's attention() runs one softmax over [prefix columns; token columns] per head, with the prefix
 * columns' scores passed through NoRGa's s + α·tanh(τ·s) (@norga/norga's gate). @norga/norga's explicitMixture
 * computes the same output in plain loops as Σ_j gate_j · expert_j. Then dL/dα by autograd against a finite
 * difference. Run: node examples/tour/04-prefix-experts.mjs
 */
import { grad } from '@norga/autograd';
import { explicitMixture, norgaScore } from '@norga/norga';
import { tensor } from '@norga/tensor';
import { attention } from '@norga/vit';

const [N, D, H, L] = [3, 4, 2, 2]; // tokens, width, heads, prefix length
const ALPHA = 0.7; // the gate s + α·tanh(τ·s) at some α, τ away from their initial 1
const TAU = 1.3;
// Deterministic, well-spread numbers (no RNG to follow): element i is sin(seed + 1.7·i) / 2.
const numbers = (n, seed) => Float64Array.from({ length: n }, (_, i) => Math.sin(seed + 1.7 * i) / 2);
const w = {
  dim: D,
  heads: H,
  qkvWeight: numbers(3 * D * D, 1),
  qkvBias: numbers(3 * D, 2),
  projWeight: numbers(D * D, 3),
  projBias: numbers(D, 4),
};
const x = numbers(N * D, 5);
const prefixKey = numbers(L * D, 6);
const prefixValue = numbers(L * D, 7);

// The library: NoRGa's gated scores on the prefix columns, one joint softmax, as the ViT runs it.
const f64 = (a, shape) => tensor(a, { shape, dtype: 'float64' });
const params = {
  'attn.qkv.weight': f64(w.qkvWeight, [3 * D, D]),
  'attn.qkv.bias': f64(w.qkvBias, [3 * D]),
  'attn.proj.weight': f64(w.projWeight, [D, D]),
  'attn.proj.bias': f64(w.projBias, [D]),
};
const prefix = { key: f64(prefixKey, [1, L, D]), value: f64(prefixValue, [1, L, D]) };
const run = (alpha, tau) =>
  attention(f64(x, [1, N, D]), (name) => params[name], 'attn', {
    heads: H,
    prefix,
    score: (s) => norgaScore('tanh', s, alpha, tau),
  });
const tau = tensor([TAU], { dtype: 'float64' });
const library = await run(tensor([ALPHA], { dtype: 'float64' }), tau).toArray();

// The mixture, in loops: L prefix experts and N token experts per head, gated by one softmax.
const mixture = explicitMixture(w, x, N, prefixKey, prefixValue, L, (s) => s + ALPHA * Math.tanh(TAU * s));

// The gate's parameter learns: dL/dα for L = Σ output, by autograd and by a central difference.
const lossAt = (a) => run(a, tau).sum();
const [dAlpha] = grad(lossAt)(tensor([ALPHA], { dtype: 'float64' }));
const eps = 1e-6;
const lossOf = async (a) => lossAt(tensor([a], { dtype: 'float64' })).item();
const fd = ((await lossOf(ALPHA + eps)) - (await lossOf(ALPHA - eps))) / (2 * eps);

export const experts = {
  library: library[0],
  mixture: Array.from({ length: N }, (_, i) => Array.from(mixture.out.subarray(i * D, (i + 1) * D))),
  // token 0's gating probabilities in head 0: L prefix experts, then N token experts (they sum to 1)
  gates: Array.from(mixture.gates[0][0]),
  dAlpha: await dAlpha.item(),
  dAlphaFiniteDifference: fd,
};

const show = (rows) => JSON.stringify(rows.map((r) => r.map((v) => +v.toFixed(6))));
console.log('attention() with a NoRGa prefix', show(experts.library));
console.log('Σ_j gate_j · expert_j (moe.ts) ', show(experts.mixture));
console.log('token 0, head 0: gates on', L, 'prefix then', N, 'token experts', show([experts.gates]));
console.log(`dL/dα autograd ${experts.dAlpha.toFixed(9)}  finite difference ${fd.toFixed(9)}`);
