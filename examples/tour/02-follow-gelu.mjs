#!/usr/bin/env node
/**
 * Tour stop 2, the worked example: follow gelu from the call to its kernel and its gradient.
 * gelu is a composite: one expression tree over the op table's primitives, run as one fused kernel and reported
 * to autograd as the single op 'fused'; its gradient is that tree differentiated node by node with the
 * derivative table. Run: node examples/tour/02-follow-gelu.mjs (with NORGA_DEBUG=js to see the two kernels:
 * gelu's loop and its gradient's).
 */
import { grad } from '@norga/autograd';
import { expr, gelu, setOpRecorder, tensor } from '@norga/tensor';

const x = tensor([-2, -0.5, 0, 0.5, 2], { dtype: 'float64' });

// 1. What the recorder sees: autograd's recorder is installed at import; put ours in front of it for one call.
const seen = [];
const autograd = setOpRecorder((rec) => seen.push(rec));
const y = gelu(x);
setOpRecorder(autograd);

// 2. The value, against the formula x · Φ(x) with Φ(x) = (1 + erf(x/√2)) / 2 written out here in doubles.
const erf = (v) => {
  // erf(v) = 2/√π ∫₀ᵛ exp(-t²) dt, by Simpson's rule: independent of the library's erf, ~1e-13 here
  const n = 2000;
  const h = v / n;
  let s = 1 + Math.exp(-v * v);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * s * h) / 3;
};
const Phi = (v) => (1 + erf(v / Math.SQRT2)) / 2;
const phi = (v) => Math.exp((-v * v) / 2) / Math.sqrt(2 * Math.PI);

// 3. The gradient by autograd, against a central finite difference and the closed form Φ(x) + x·φ(x).
const dgelu = grad((t) => gelu(t).sum());
const values = await x.toArray();
const eps = 1e-6;
const xPlus = tensor(
  values.map((v) => v + eps),
  { dtype: 'float64' },
);
const xMinus = tensor(
  values.map((v) => v - eps),
  { dtype: 'float64' },
);
const plus = await gelu(xPlus).toArray();
const minus = await gelu(xMinus).toArray();

export const follow = {
  recorded: seen.map((r) => ({ op: r.op, name: r.attrs.name, inputs: r.inputs.length })),
  tree: expr.exprKey(seen[0].attrs.expr),
  x: values,
  value: await y.toArray(),
  formula: values.map((v) => v * Phi(v)),
  gradient: await dgelu(x)[0].toArray(),
  finiteDifference: plus.map((p, i) => (p - minus[i]) / (2 * eps)),
  closedForm: values.map((v) => Phi(v) + v * phi(v)),
};

console.log('recorded:', follow.recorded);
console.log('its expression tree:', follow.tree);
console.log('gelu(x)       ', follow.value.map((v) => v.toFixed(8)).join(' '));
console.log('x·Φ(x)        ', follow.formula.map((v) => v.toFixed(8)).join(' '));
console.log("gelu'(x)      ", follow.gradient.map((v) => v.toFixed(8)).join(' '));
console.log('finite diff.  ', follow.finiteDifference.map((v) => v.toFixed(8)).join(' '));
console.log('Φ(x) + x·φ(x) ', follow.closedForm.map((v) => v.toFixed(8)).join(' '));
