/**
 * PyTorch golden gradients (scripts/golden.py → fixtures/golden-grads.json): each case's output and the
 * vector-Jacobian product with a fixed upstream gradient, on every backend. Tolerances
 * (forward atol 1e-6 / rtol 1e-3 scaled for float32 chains, gradients atol 1e-4 / rtol 1e-3).
 */
import { readFileSync } from 'node:fs';
import * as T from '@norga/tensor';
import { type Tensor, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import {
  backward,
  bceWithLogits,
  crossEntropy,
  erfinv,
  gradOf,
  liveNodeCount,
  mseLoss,
} from '../src/index.js';
import { BACKENDS } from './helpers/backends.js';

interface Enc {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: number[];
}
interface Case {
  name: string;
  inputs: Enc[];
  upstream: Enc;
  out: Enc;
  grads: (Enc | null)[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/golden-grads.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

type Fn = (...xs: Tensor[]) => Tensor;
/** The TS twin of scripts/golden.py's CASES. */
const FNS: Record<string, Fn> = {
  neg: (x) => T.neg(x),
  exp: (x) => T.exp(x),
  log: (x) => T.log(x),
  sqrt: (x) => T.sqrt(x),
  reciprocal: (x) => T.reciprocal(x),
  sin: (x) => T.sin(x),
  cos: (x) => T.cos(x),
  tanh: (x) => T.tanh(x),
  erf: (x) => T.erf(x),
  abs: (x) => T.abs(x),
  add: (a, b) => T.add(a, b),
  sub: (a, b) => T.sub(a, b),
  mul: (a, b) => T.mul(a, b),
  div: (a, b) => T.div(a, b),
  pow: (a, b) => T.pow(a, b),
  'pow zero base': (a, b) => T.pow(a, b),
  'maximum ties': (a, b) => T.maximum(a, b),
  'minimum ties': (a, b) => T.minimum(a, b),
  where: (a, b) => T.where(T.gt(a, 0), a, b),
  'sum axes': (x) => T.sum(x, [0, 2], true),
  'sum all': (x) => T.sum(x),
  'amax ties': (x) => T.max(x, 1),
  'amin all ties': (x) => T.min(x),
  'max all': (x) => T.max(x),
  mean: (x) => T.mean(x, 0),
  var: (x) => T.variance(x, 1),
  logsumexp: (x) => T.logsumexp(x, 1),
  'matmul 2d': (a, b) => T.matmul(a, b),
  'matmul batch broadcast': (a, b) => T.matmul(a, b),
  'matmul vec mat': (a, b) => T.matmul(a, b),
  'matmul mat vec': (a, b) => T.matmul(a, b),
  reshape: (x) => T.reshape(x, [3, 2, 2]),
  permute: (x) => T.permute(x, [2, 0, 1]),
  expand: (x) => T.expand(x, [2, 3, 4]),
  'slice step 2': (x) => T.slice(x, 0, 1, undefined, 2),
  'slice step 3': (x) => T.slice(x, 1, 0, 7, 3),
  pad: (x) =>
    T.pad(
      x,
      [
        [1, 0],
        [2, 3],
      ],
      0.5,
    ),
  concat: (a, b) => T.concat([a, b, a], 1),
  stack: (a, b) => T.stack([a, b], 1),
  gather: (x, i) => T.gather(x, 1, i!),
  indexSelect: (x, i) => T.indexSelect(x, 0, i!),
  scatterAdd: (x, s, i) => T.scatterAdd(x, 0, i!, s!),
  softmax: (x) => T.softmax(x, -1),
  logSoftmax: (x) => T.logSoftmax(x, 1),
  layerNorm: (x, w, b) => T.layerNorm(x, [4], w, b),
  gelu: (x) => T.gelu(x),
  'gelu tanh': (x) => T.gelu(x, { approximate: 'tanh' }),
  sigmoid: (x) => T.sigmoid(x),
  relu: (x) => T.relu(x),
  clamp: (x) => T.clamp(x, -0.5, 0.5),
  // float64 exists on the CPU backend only: this case is not generated for the others (see CPU_ONLY).
  'cast float64 round trip': (x) => T.cast(T.mul(T.cast(x, 'float64'), 3), 'float32'),
  'contiguous of transpose': (x) =>
    T.mul(
      T.contiguous(T.transpose(x, 0, 1)),
      T.reshape(T.arange(1, 7, 1, { dtype: 'float32', backend: x.backend.name }), [3, 2]),
    ),
  'fused expression': (a, b) => {
    const { input, constant, un, bin } = T.expr;
    const e = bin(
      'mul',
      un('exp', bin('mul', constant(0.5, 'float32'), input(0))),
      un('tanh', bin('add', input(0), input(1))),
    );
    return T.fused(e, [a, b!]);
  },
  erfinv: (x) => erfinv(x),
  attention: (q, k, v) => T.matmul(T.softmax(T.div(T.matmul(q, T.transpose(k!, -2, -1)), 2), -1), v!),
  crossEntropy: (x, t) => crossEntropy(x, t!),
  'crossEntropy sum': (x, t) => crossEntropy(x, t!, { reduction: 'sum' }),
  'crossEntropy none': (x, t) => crossEntropy(x, t!, { reduction: 'none' }),
  'crossEntropy smoothing': (x, t) => crossEntropy(x, t!, { labelSmoothing: 0.1 }),
  'crossEntropy smoothing sum ignore': (x, t) =>
    crossEntropy(x, t!, { labelSmoothing: 0.25, reduction: 'sum', ignoreIndex: 1 }),
  'crossEntropy ignore mean': (x, t) => crossEntropy(x, t!, { ignoreIndex: 2 }),
  'crossEntropy probs': (x, p) => crossEntropy(x, T.softmax(p!, 1)),
  'crossEntropy probs smoothing none': (x, p) =>
    crossEntropy(x, T.softmax(p!, 1), { labelSmoothing: 0.2, reduction: 'none' }),
  'crossEntropy spatial': (x, t) => crossEntropy(x, t!),
  'mse mean': (a, b) => mseLoss(a, b!),
  'mse sum': (a, b) => mseLoss(a, b!, { reduction: 'sum' }),
  'mse none': (a, b) => mseLoss(a, b!, { reduction: 'none' }),
  'bce mean': (x, y) => bceWithLogits(x, y!),
  'bce sum posWeight': (x, y, pw) => bceWithLogits(x, y!, { posWeight: pw!, reduction: 'sum' }),
  'bce none weight': (x, y, w) => bceWithLogits(x, y!, { weight: w!, reduction: 'none' }),
};

function close(got: ArrayLike<number>, want: number[], atol: number, rtol: number, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i]! - want[i]!) <= atol + rtol * Math.abs(want[i]!);
    if (!ok) expect.fail(`${what}[${i}]: got ${got[i]}, PyTorch ${want[i]}`);
  }
}

const CPU_ONLY = new Set(['cast float64 round trip']);

describe.each(BACKENDS)('PyTorch golden gradients on $name', ({ name: backend }) => {
  it('every fixture case has a TS twin', () => {
    expect(fixture.cases.map((c) => c.name).filter((n) => !(n in FNS))).toEqual([]);
  });

  const skipped = fixture.cases.filter((c) => backend !== 'cpu' && CPU_ONLY.has(c.name)).map((c) => c.name);
  if (skipped.length > 0)
    console.warn(`[norga/autograd] not run on ${backend} (float64 is CPU-only): ${skipped.join(', ')}`);
  for (const c of fixture.cases.filter((k) => !skipped.includes(k.name))) {
    it(c.name, async () => {
      const before = T.memory();
      const nodes = liveNodeCount();
      const inputs = c.inputs.map((e, k) => {
        const t = tensor(e.data, { shape: e.shape, dtype: e.dtype, backend });
        return c.grads[k] ? t.requiresGrad_() : t;
      });
      const upstream = tensor(c.upstream.data, { shape: c.upstream.shape, backend });
      const out = T.tidy(() => FNS[c.name]!(...inputs));
      expect(out.shape).toEqual(c.out.shape);
      backward(out, { gradient: upstream });
      close(await out.data(), c.out.data, 1e-5, 1e-4, 'out');
      for (let k = 0; k < inputs.length; k++) {
        const want = c.grads[k];
        const got = gradOf(inputs[k]!);
        if (want) close(await got!.data(), want.data, 1e-4, 1e-3, `grad ${k}`);
        else expect(got).toBeNull();
      }
      // Disposing the inputs disposes their gradients: everything returns to where it started.
      for (const t of [out, ...inputs, upstream]) t.dispose();
      const after = T.memory();
      expect({ tensors: after.tensors, bytes: after.bytesInUse, nodes: liveNodeCount() }).toEqual({
        tensors: before.tensors,
        bytes: before.bytesInUse,
        nodes,
      });
    });
  }
});
