#!/usr/bin/env node
/**
 * Tour stop 3: matmul, the one non-elementwise primitive a ViT spends its time in. The forward takes strided
 * operands (a transposed weight costs no copy); the gradient rule is dA = G·Bᵀ and dB = Aᵀ·G, two more matmuls.
 * Run: node examples/tour/03-matmul.mjs
 */
import { grad } from '@norga/autograd';
import { matmul, tensor } from '@norga/tensor';

const f64 = { dtype: 'float64' };
const A = tensor(
  [
    [1, 2, 3],
    [4, 5, 6],
  ],
  f64,
); // [2, 3]
const W = tensor(
  [
    [1, 0, -1],
    [2, 1, 0],
    [0.5, -2, 1],
    [1, 1, 1],
  ],
  f64,
); // [4, 3], used as Wᵀ: a view
const G = tensor(
  [
    [1, -1, 0.5, 2],
    [0, 3, -2, 1],
  ],
  f64,
); // upstream gradient for the [2, 4] output

// L = Σ G ⊙ (A·Wᵀ), so dL/dA = G·W and dL/dW = Gᵀ·A
const loss = (a, w) => matmul(a, w.t()).mul(G).sum();
const [dA, dW] = grad(loss)(A, W);

// By hand: the triple loop a reader knows, for the value and for a central finite difference of dL/dA.
const a = await A.toArray();
const w = await W.toArray();
const g = await G.toArray();
const lossOf = (m) => {
  let s = 0;
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) s += g[i][j] * m[i][k] * w[j][k];
  return s;
};
const eps = 1e-6;
const fdA = a.map((row, i) =>
  row.map((_, k) => {
    const plus = a.map((r) => [...r]);
    const minus = a.map((r) => [...r]);
    plus[i][k] += eps;
    minus[i][k] -= eps;
    return (lossOf(plus) - lossOf(minus)) / (2 * eps);
  }),
);

export const matmulTour = {
  product: await matmul(A, W.t()).toArray(),
  productByHand: a.map((r) => w.map((wr) => r.reduce((s, v, k) => s + v * wr[k], 0))),
  dA: await dA.toArray(),
  dAFiniteDifference: fdA,
  dW: await dW.toArray(),
  dWClosedForm: await matmul(G.t(), A).toArray(),
};

for (const [k, v] of Object.entries(matmulTour)) console.log(k.padEnd(20), JSON.stringify(v));
