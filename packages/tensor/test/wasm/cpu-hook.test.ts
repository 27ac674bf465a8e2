/**
 * The CPU backend's matmul through the public API on both tiers: the WebAssembly tier must agree with the JS
 * reference on views (transposes, broadcast batches, slices), and setCpuTier('js') must bypass it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cpuTier, setCpuTier } from '../../src/backends/wasm/backend.js';
import { getWasmTier } from '../../src/backends/wasm/tier.js';
import * as T from '../../src/index.js';
import { onBothTiers } from './tiers.js';

function seq(shape: number[], seed: number): T.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37 + seed) * 0.9;
  return T.tensor(data, { shape });
}

async function both(f: () => T.Tensor): Promise<{ js: Float32Array; wasm: Float32Array; wasmCalls: number }> {
  const { js, wasm, jsCalls, calls } = await onBothTiers(f, (tier) => tier.matmulStats.calls);
  expect(jsCalls).toBe(0);
  return { js, wasm, wasmCalls: calls };
}

function expectNear(a: Float32Array, b: Float32Array, k: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  // values are sums of k products below 1 in magnitude
  expect(worst).toBeLessThan(k * 4e-7);
}

afterEach(() => setCpuTier('wasm'));

describe('CPU matmul: wasm tier against the JS tier', () => {
  it('is the wasm tier by default on Node', () => {
    expect(cpuTier()).toBe(process.env.NORGA_CPU_TIER === 'js' ? 'js' : 'wasm');
  });

  const cases: [string, () => T.Tensor, number][] = [
    ['plain 33x129 @ 129x17', () => T.tidy(() => T.matmul(seq([33, 129], 1), seq([129, 17], 2))), 129],
    [
      'aᵀ @ bᵀ',
      () => T.tidy(() => T.matmul(T.transpose(seq([65, 40], 3)), T.transpose(seq([31, 65], 4)))),
      65,
    ],
    [
      'batched x @ broadcast weight',
      () => T.tidy(() => T.matmul(seq([2, 3, 17, 64], 5), seq([64, 48], 6))),
      64,
    ],
    [
      'attention-like q @ kᵀ per head',
      () => T.tidy(() => T.matmul(seq([2, 3, 19, 16], 7), T.transpose(seq([2, 3, 19, 16], 8)))),
      16,
    ],
    [
      'sliced operand',
      () => T.tidy(() => T.matmul(T.slice(seq([40, 70], 9), 1, 3, 67), seq([64, 20], 10))),
      64,
    ],
    ['matrix @ vector', () => T.tidy(() => T.matmul(seq([300, 257], 11), seq([257], 12))), 257],
  ];
  for (const [name, f, k] of cases) {
    it(name, async () => {
      const start = T.memory();
      const { js, wasm, wasmCalls } = await both(f);
      expect(wasmCalls).toBe(getWasmTier() && process.env.NORGA_CPU_TIER !== 'js' ? 1 : 0);
      expectNear(wasm, js, k);
      expect(T.memory().tensors).toBe(start.tensors);
    });
  }

  it('takes tiny products too (no size threshold: the JS kernel accumulates in doubles, this tier in float32)', async () => {
    const tier = getWasmTier();
    const before = tier?.matmulStats.calls ?? 0;
    const r = T.tidy(() => T.matmul(seq([1, 4], 1), seq([4, 5], 2)));
    r.dispose();
    if (tier && process.env.NORGA_CPU_TIER !== 'js') expect(tier.matmulStats.calls - before).toBe(1);
  });

  it('float64 stays on the JS kernel', async () => {
    const tier = getWasmTier();
    const before = tier?.matmulStats.calls ?? 0;
    const r = T.tidy(() =>
      T.matmul(T.cast(seq([40, 50], 1), 'float64'), T.cast(seq([50, 60], 2), 'float64')),
    );
    expect(r.dtype).toBe('float64');
    r.dispose();
    expect(tier?.matmulStats.calls ?? 0).toBe(before);
  });
});
