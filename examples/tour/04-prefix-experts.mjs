#!/usr/bin/env node
/**
 * Tour stop 4: attention with prefixes is a mixture of experts, and NoRGa is a gate on its prefix experts.
 * @norga/vit's attention() runs one head-split softmax over [prefix columns; token columns]; here the same
 * output is rebuilt by hand, head by head, as Σ_j softmax(scores)_j · expert_j, with the prefix experts' scores
 * passed through NoRGa's s + α·tanh(τ·s) (@norga/norga's gate). Then dL/dα by autograd against a finite
 * difference. Run: node examples/tour/04-prefix-experts.mjs
 */
import { grad } from '@norga/autograd';
import { norgaScore } from '@norga/norga';
import { tensor } from '@norga/tensor';
import { attention } from '@norga/vit';

const B = 1,
  N = 3,
  D = 4,
  H = 2,
  Lp = 2,
  hd = D / H;
const f64 = { dtype: 'float64' };
const ALPHA = 0.7; // the gate s + α·tanh(τ·s) at some α, τ away from their initial 1
const TAU = 1.3;
// Deterministic, well-spread numbers (no RNG to follow): element i of a tensor is sin(seed + 1.7·i) / 2.
const filled = (shape, seed) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Array.from({ length: n }, (_, i) => Math.sin(seed + 1.7 * i) / 2),
    f64,
  ).reshape(shape);
};
const params = {
  'attn.qkv.weight': filled([3 * D, D], 1),
  'attn.qkv.bias': filled([3 * D], 2),
  'attn.proj.weight': filled([D, D], 3),
  'attn.proj.bias': filled([D], 4),
};
const x = filled([B, N, D], 5);
const prefix = { key: filled([1, Lp, D], 6), value: filled([1, Lp, D], 7) };

// The library: NoRGa's gated scores on the prefix columns, one joint softmax, as the ViT runs it.
const run = (alpha, tau) =>
  attention(x, (name) => params[name], 'attn', {
    heads: H,
    prefix,
    score: (s) => norgaScore('tanh', s, alpha, tau),
  });
const alpha = tensor([ALPHA], f64);
const tau = tensor([TAU], f64);
const library = await run(alpha, tau).toArray();

// By hand: per head, the experts are the Lp prefix values and the N token values; the gate scores them.
const [W, b, Wo, bo, X, PK, PV] = await Promise.all(
  [...Object.values(params), x, prefix.key, prefix.value].map((t) => t.toArray()),
);
const dot = (u, v) => u.reduce((s, ui, i) => s + ui * v[i], 0);
const affine = (row, w, bias, r0) => w.slice(r0, r0 + D).map((wr, i) => dot(row, wr) + bias[r0 + i]);
const byHand = X[0].map((xi) => {
  const q = affine(xi, W, b, 0).map((v) => v / Math.sqrt(hd));
  const mixed = [];
  for (let h = 0; h < H; h++) {
    const cols = (v) => v.slice(h * hd, (h + 1) * hd);
    const keys = X[0].map((xj) => cols(affine(xj, W, b, D)));
    const values = X[0].map((xj) => cols(affine(xj, W, b, 2 * D)));
    const prefixScores = PK[0].map((pk) => dot(cols(q), cols(pk)));
    const scores = [
      ...prefixScores.map((s) => s + ALPHA * Math.tanh(TAU * s)), // the NoRGa gate, gates.ts
      ...keys.map((k) => dot(cols(q), k)),
    ];
    const e = scores.map((s) => Math.exp(s - Math.max(...scores)));
    const p = e.map((v) => v / e.reduce((a, c) => a + c, 0)); // the gating probabilities
    const experts = [...PV[0].map(cols), ...values];
    for (let c = 0; c < hd; c++) mixed.push(p.reduce((s, pj, j) => s + pj * experts[j][c], 0));
  }
  return Wo.map((wr, i) => dot(mixed, wr) + bo[i]);
});

// The gate's parameter is learnable: dL/dα for L = Σ output, by autograd and by a central difference.
const lossAt = (a) => run(a, tau).sum();
const [dAlpha] = grad(lossAt)(alpha);
const eps = 1e-6;
const fd =
  ((await lossAt(tensor([ALPHA + eps], f64)).item()) - (await lossAt(tensor([ALPHA - eps], f64)).item())) /
  (2 * eps);

export const experts = { library, byHand, dAlpha: await dAlpha.item(), dAlphaFiniteDifference: fd };

console.log(
  'attention() with a NoRGa prefix ',
  JSON.stringify(library[0].map((r) => r.map((v) => +v.toFixed(6)))),
);
console.log(
  'Σ_j p_j · expert_j, by hand     ',
  JSON.stringify(byHand.map((r) => r.map((v) => +v.toFixed(6)))),
);
console.log(`dL/dα autograd ${experts.dAlpha.toFixed(9)}  finite difference ${fd.toFixed(9)}`);
