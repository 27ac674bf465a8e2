/**
 * Fused float32 elementwise kernels in WebAssembly against the JS tier (the reference) through the public
 * API, and the SIMD exp/tanh/erf against Math at special and extreme values.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { erf32, exp32, tanh32 } from '../../src/backends/f32-math.js';
import { setCpuTier } from '../../src/backends/wasm/backend.js';
import { getWasmTier } from '../../src/backends/wasm/tier.js';
import * as T from '../../src/index.js';
import { onBothTiers } from './tiers.js';

function values(n: number, seed: number, scale = 4): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 0.7123 + seed) * scale * Math.cos(i * 0.013);
  return out;
}

/** Runs f on both tiers; returns both results and how many elementwise calls the wasm tier took. */
const both = (f: () => T.Tensor) => onBothTiers(f, (tier) => tier.elementwiseStats.calls);

function expectClose(got: Float32Array, want: Float32Array, atol: number, rtol: number): void {
  expect(got.length).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < got.length && bad.length < 5; i++) {
    const g = got[i] as number;
    const w = want[i] as number;
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(g === w || Math.abs(g - w) <= atol + rtol * Math.abs(w)))
      bad.push(`[${i}] ${g} vs ${w}`);
  }
  expect(bad).toEqual([]);
}

const wasmOn = getWasmTier() !== undefined && process.env.NORGA_CPU_TIER !== 'js';
afterEach(() => setCpuTier('wasm'));

describe('wasm elementwise against the JS tier', () => {
  const x = () => T.tensor(values(64 * 50 * 3 + 1, 1), { shape: [64 * 50 * 3 + 1] });
  const m = () => T.tensor(values(300 * 67, 2), { shape: [300, 67] });

  const exact: [string, () => T.Tensor][] = [
    ['add of two full operands', () => T.tidy(() => T.add(x(), x().mul(0.5)))],
    [
      'bias column broadcast (rows x cols + cols)',
      () => T.tidy(() => T.add(m(), T.tensor(values(67, 3), { shape: [67] }))),
    ],
    [
      'per-row broadcast (rows x cols - rows x 1)',
      () => T.tidy(() => T.sub(m(), T.tensor(values(300, 4), { shape: [300, 1] }))),
    ],
    [
      'scalar ops: mul, div, max, min, neg, abs, sqrt of |x|',
      () => T.tidy(() => T.maximum(T.minimum(x().mul(3).div(7).neg(), 2), -2).add(x().abs().sqrt())),
    ],
    ['reciprocal', () => T.tidy(() => T.reciprocal(x().add(10)))],
    [
      'a row slice of a wider tensor (row stride > cols)',
      () => T.tidy(() => T.slice(m(), 1, 3, 60).mul(2).add(1)),
    ],
    ['a transposed operand (gathered along rows)', () => T.tidy(() => T.add(T.transpose(m()), 1.5))],
    ['contiguous() of a transpose', () => T.tidy(() => T.contiguous(T.transpose(m())))],
    [
      'a rank-4 permuted operand plus a contiguous one (outer dims walked per slab)',
      () =>
        T.tidy(() =>
          T.add(
            T.permute(T.tensor(values(8 * 50 * 4 * 16, 5), { shape: [8, 50, 4, 16] }), [0, 2, 1, 3]),
            T.tensor(values(8 * 4 * 50 * 16, 6), { shape: [8, 4, 50, 16] }),
          ),
        ),
    ],
  ];
  for (const [name, f] of exact) {
    it(`${name}: bit-identical`, async () => {
      const { js, wasm, calls } = await both(f);
      if (wasmOn) expect(calls).toBeGreaterThan(0);
      expect(
        Buffer.from(wasm.buffer, wasm.byteOffset, wasm.byteLength).equals(
          Buffer.from(js.buffer, js.byteOffset, js.byteLength),
        ),
      ).toBe(true);
    });
  }

  // exp, tanh and erf run the same float32 algorithm in both tiers (src/backends/f32-math.ts), and the JS tier
  // rounds every step to float32: chains of them are bit-identical too, so a tier switch by size changes nothing
  const chains: [string, () => T.Tensor][] = [
    ['exp', () => T.tidy(() => T.exp(x().mul(5)))],
    ['tanh', () => T.tidy(() => T.tanh(x()))],
    ['erf', () => T.tidy(() => T.erf(x()))],
    ['sigmoid', () => T.tidy(() => T.sigmoid(x().mul(3)))],
    ['exact gelu (one fused erf chain)', () => T.tidy(() => T.gelu(m()))],
    ['tanh gelu', () => T.tidy(() => T.gelu(m(), { approximate: 'tanh' }))],
    ['a softmax-like chain: exp(x - rowmax) / rowsum', () => T.tidy(() => T.softmax(m(), -1))],
  ];
  for (const [name, f] of chains) {
    it(`${name}: bit-identical`, async () => {
      const { js, wasm, calls } = await both(f);
      if (wasmOn) expect(calls).toBeGreaterThan(0);
      const differ = js.reduce((n, v, i) => n + (Object.is(v, wasm[i]) ? 0 : 1), 0);
      expect(differ, `${differ} of ${js.length} values differ`).toBe(0);
    });
  }

  it('copies rows contiguous on both sides with TypedArray.set (no kernel), identical values', async () => {
    const f = () =>
      T.tidy(() =>
        T.contiguous(
          T.permute(T.tensor(values(8 * 50 * 4 * 16, 5), { shape: [8, 50, 4, 16] }), [0, 2, 1, 3]),
        ),
      );
    const { js, wasm, calls } = await both(f);
    expect(calls).toBe(0);
    expect(Array.from(wasm)).toEqual(Array.from(js));
  });

  it('leaves small tensors, float64 and unsupported ops (log, where, comparisons) on JS', async () => {
    const tier = getWasmTier();
    const before = tier?.elementwiseStats.calls ?? 0;
    T.tidy(() => {
      T.exp(T.tensor(values(100, 1), { shape: [100] }));
      T.exp(T.cast(x(), 'float64'));
      T.log(x().abs().add(1));
      T.lt(x(), 0);
    });
    // x() itself and the casts' inputs are created, not computed; .abs().add(1) may run on wasm
    expect((tier?.elementwiseStats.calls ?? 0) - before).toBeLessThanOrEqual(2);
  });
});

describe('SIMD exp, tanh, erf at special values', () => {
  const specials = [
    0,
    -0,
    1,
    -1,
    0.5,
    0.624,
    0.626,
    10,
    -10,
    20,
    88,
    88.7,
    88.73,
    89,
    100,
    -87,
    -87.5,
    -100,
    -103.9,
    -104,
    -200,
    1e-8,
    -1e-8,
    3.4e38,
    -3.4e38,
    Infinity,
    -Infinity,
    Number.NaN,
  ];
  const n = 4096;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = specials[i % specials.length] as number;
  const run = async (f: (t: T.Tensor) => T.Tensor): Promise<Float32Array> => {
    const t = T.tensor(data, { shape: [n] });
    const r = f(t);
    const out = (await r.data()) as Float32Array;
    r.dispose();
    t.dispose();
    return out;
  };
  const want = (g: (v: number) => number) => Float32Array.from(data, g);

  it('exp: overflow to inf, gradual underflow, exp(-inf) = 0, NaN stays NaN', async () => {
    const got = await run((t) => T.exp(t));
    // denormal results are compared absolutely
    expectClose(got, want(Math.exp), 1e-44, 3e-7);
    expect(got[specials.indexOf(Number.NEGATIVE_INFINITY)]).toBe(0);
    expect(got[specials.indexOf(Number.POSITIVE_INFINITY)]).toBe(Number.POSITIVE_INFINITY);
    expect(got[specials.indexOf(89)]).toBe(Number.POSITIVE_INFINITY);
  });

  it('tanh: ±1 in the tails, odd, no cancellation near 0', async () => {
    const got = await run((t) => T.tanh(t));
    expectClose(got, want(Math.tanh), 1e-7, 4e-7);
    expect(got[specials.indexOf(1e-8)]).toBeCloseTo(1e-8, 15);
    expect(got[specials.indexOf(Number.NEGATIVE_INFINITY)]).toBe(-1);
  });

  it('exp, tanh, erf: the same bits as the scalar float32 functions the JS tier runs', async () => {
    for (const [f, ref] of [
      [T.exp, exp32],
      [T.tanh, tanh32],
      [T.erf, erf32],
    ] as const) {
      const got = await run(f);
      const w = want(ref);
      for (let i = 0; i < specials.length; i++) expect(got[i], `${f.name}(${data[i]})`).toBe(w[i]);
    }
  });
});
