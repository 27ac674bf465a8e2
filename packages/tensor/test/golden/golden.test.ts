/**
 * Replays every PyTorch golden case (test/fixtures/golden-ops.json, written by scripts/golden.py) on every
 * backend, with the inputs laid out three ways: contiguous, as a step-2 slice of a wider buffer, and as a
 * transposed view. Kernels must give the same answer for every layout. Where the backend has float64, every
 * case with float inputs is also replayed in float64 (atol 1e-6, rtol 1e-5 after rounding to float32).
 *
 * Tolerances: float32 atol 1e-6, rtol 1e-3; on non-CPU backends, cases marked 'reduction' (sums, softmax,
 * matmul...) are held to rtol 1e-4 with the same atol. Integer and bool outputs must match exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { checkLeaks, mismatches } from '../conformance/helpers.js';
import { BACKENDS } from '../helpers/backends.js';

type Value = number | string;
interface FixtureTensor {
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  data: Value[];
}
interface Step {
  op: string;
  args: unknown[];
}
interface Case {
  name: string;
  kind: 'elementwise' | 'reduction' | 'exact';
  inputs: FixtureTensor[];
  steps: Step[];
  out: FixtureTensor | FixtureTensor[];
}
interface Fixture {
  version: number;
  torch: string;
  cases: Case[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/golden-ops.json', import.meta.url), 'utf8'),
) as Fixture;

const num = (v: Value): number =>
  typeof v === 'number' ? v : v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : -Infinity;

type Layout = 'contiguous' | 'strided' | 'transposed' | 'float64';

/** Builds a fixture tensor on `backend` with the requested memory layout (same values in every layout). */
function build(f: FixtureTensor, backend: string, layout: Layout): T.Tensor {
  const values = f.data.map(num);
  // The float64 variant replays float32 cases in float64 (where the backend has it): same values, wider type.
  const opts = {
    dtype: layout === 'float64' && f.dtype === 'float32' ? 'float64' : f.dtype,
    backend,
  } as const;
  const rank = f.shape.length;
  if (layout === 'strided' && rank >= 1) {
    // A buffer twice as wide on the last axis; the odd columns hold junk the view must never read.
    const last = f.shape[rank - 1]!;
    const wide = [...f.shape.slice(0, -1), last * 2];
    const buf: number[] = [];
    for (let i = 0; i < values.length; i++) buf.push(values[i]!, f.dtype === 'bool' ? 1 : -777);
    return T.tidy(() => T.slice(T.tensor(buf, { ...opts, shape: wide }), -1, 0, last * 2, 2));
  }
  if (layout === 'transposed' && rank >= 2) {
    // Store the data with the axes reversed, then view it with permute: a non-contiguous input.
    const rev = [...f.shape].reverse();
    const inStrides = f.shape.map((_, i) => f.shape.slice(i + 1).reduce((p, d) => p * d, 1));
    const buf = new Array<number>(values.length);
    const revStrides = rev.map((_, i) => rev.slice(i + 1).reduce((p, d) => p * d, 1));
    for (let k = 0; k < values.length; k++) {
      let rem = k;
      let dst = 0;
      for (let d = 0; d < rank; d++) {
        const i = Math.floor(rem / inStrides[d]!);
        rem -= i * inStrides[d]!;
        dst += i * revStrides[rank - 1 - d]!;
      }
      buf[dst] = values[k]!;
    }
    const perm = f.shape.map((_, i) => rank - 1 - i);
    return T.tidy(() => T.permute(T.tensor(buf, { ...opts, shape: rev }), perm));
  }
  return T.tensor(values, { ...opts, shape: f.shape });
}

/** Parameters before the options object of creation ops, so `{ backend }` can be appended. */
const CREATION_ARITY: Record<string, number> = { eye: 2, linspace: 3, arange: 3, zeros: 1, ones: 1, full: 2 };

function resolve(arg: unknown, inputs: T.Tensor[], results: unknown[]): unknown {
  if (arg === null) return undefined;
  if (Array.isArray(arg)) return arg.map((a) => resolve(a, inputs, results));
  if (typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 't') return inputs[o.t as number];
    if (keys.length === 1 && keys[0] === 'r') return results[o.r as number];
    return Object.fromEntries(keys.map((k) => [k, resolve(o[k], inputs, results)]));
  }
  return arg;
}

const OPS = T as unknown as Record<string, (...args: unknown[]) => unknown>;

function runCase(c: Case, inputs: T.Tensor[], backend: string): T.Tensor | T.Tensor[] {
  return T.tidy(() => {
    const results: unknown[] = [];
    for (const step of c.steps) {
      const fn = OPS[step.op];
      if (typeof fn !== 'function') throw new Error(`golden: @norga/tensor exports no function '${step.op}'`);
      const args = step.args.map((a) => resolve(a, inputs, results));
      if (step.op in CREATION_ARITY) {
        while (args.length < CREATION_ARITY[step.op]!) args.push(undefined);
        args.push({ backend });
      }
      results.push(fn(...args));
    }
    return results[results.length - 1] as T.Tensor | T.Tensor[];
  });
}

async function check(
  c: Case,
  got: T.Tensor,
  want: FixtureTensor,
  backend: string,
  layout: Layout,
  where: string,
): Promise<void> {
  const wide = layout === 'float64' && want.dtype === 'float32';
  expect([...got.shape], `${where}: shape`).toEqual(want.shape);
  expect(got.dtype, `${where}: dtype`).toBe(wide ? 'float64' : want.dtype);
  const data = Array.from(await got.data());
  const expected = want.data.map(num);
  const gpuReduction = backend !== 'cpu' && c.kind === 'reduction';
  // float64 results, rounded once to float32, must match the correctly rounded reference almost exactly.
  const bad = wide
    ? mismatches(data.map(Math.fround), expected, 1e-6, 1e-5)
    : want.dtype === 'float32'
      ? mismatches(data, expected, 1e-6, gpuReduction ? 1e-4 : 1e-3)
      : mismatches(data, expected, 0, 0);
  expect(bad, `${where}: values`).toEqual([]);
}

describe('golden fixture', () => {
  it('was written by scripts/golden.py and covers every op of the README', () => {
    expect(fixture.version).toBe(1);
    const ops = new Set(fixture.cases.flatMap((c) => c.steps.map((s) => s.op)));
    for (const op of [
      'add',
      'sub',
      'mul',
      'div',
      'pow',
      'maximum',
      'minimum',
      'neg',
      'exp',
      'log',
      'sqrt',
      'reciprocal',
      'sin',
      'cos',
      'tanh',
      'erf',
      'abs',
      'square',
      'relu',
      'sigmoid',
      'gelu',
      'clamp',
      'lt',
      'le',
      'gt',
      'ge',
      'eq',
      'ne',
      'logicalNot',
      'logicalAnd',
      'logicalOr',
      'where',
      'cast',
      'sum',
      'max',
      'min',
      'mean',
      'argmax',
      'argmin',
      'variance',
      'logsumexp',
      'softmax',
      'logSoftmax',
      'layerNorm',
      'matmul',
      'reshape',
      'permute',
      'transpose',
      'expand',
      'broadcastTo',
      'slice',
      'squeeze',
      'unsqueeze',
      'flatten',
      'contiguous',
      'concat',
      'stack',
      'split',
      'pad',
      'gather',
      'take',
      'indexSelect',
      'scatterAdd',
      'oneHot',
      'zeros',
      'ones',
      'full',
      'arange',
      'linspace',
      'eye',
    ]) {
      expect(ops.has(op), `no golden case for ${op}`).toBe(true);
    }
  });
});

describe.each(BACKENDS)('golden ops on $name', ({ name }) => {
  checkLeaks();
  const hasFloat64 = T.getBackend(name).dtypes.includes('float64');
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', async (_label, c) => {
    const layouts: Layout[] =
      c.inputs.length === 0 ? ['contiguous'] : ['contiguous', 'strided', 'transposed'];
    if (hasFloat64 && c.inputs.some((f) => f.dtype === 'float32')) layouts.push('float64');
    for (const layout of layouts) {
      const inputs = c.inputs.map((f) => build(f, name, layout));
      try {
        const got = runCase(c, inputs, name);
        const gots = Array.isArray(got) ? got : [got];
        const wants = Array.isArray(c.out) ? c.out : [c.out];
        try {
          expect(gots.length, `${c.name}: number of outputs`).toBe(wants.length);
          for (let i = 0; i < wants.length; i++)
            await check(c, gots[i]!, wants[i]!, name, layout, `${c.name} (${layout}) output ${i}`);
        } finally {
          for (const g of gots) g.dispose();
        }
      } finally {
        for (const t of inputs) t.dispose();
      }
    }
  });
});
