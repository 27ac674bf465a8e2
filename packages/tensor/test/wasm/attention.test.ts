/**
 * The fused WebAssembly attention (backends/wasm/attention.ts) against its composite: it runs where it applies,
 * gives the composite's bits where the scale is a power of two (the same kernels, in the same order), stays
 * within rounding of it otherwise, declines where it does not apply, and gives the same bits on 1, 2 or 3 threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { getWasmTier } from '../../src/backends/wasm/tier.js';
import * as T from '../../src/index.js';

const tier = getWasmTier();
const threads = tier?.threads ?? 1;
afterAll(() => tier?.setThreads(threads));

/** q, k, v heads [B, H, L, D] as strided views of one qkv buffer [B, L, 3, H, D], as the ViT makes them. */
function heads(b: number, l: number, h: number, d: number, seed: number): T.Tensor[] {
  T.manualSeed(seed);
  return T.tidy(() => {
    const qkv = T.randn([b, l, 3, h, d], { backend: 'cpu' });
    return [0, 1, 2].map((i) => T.squeeze(T.slice(qkv, 2, i, i + 1), 2).permute([0, 2, 1, 3]));
  });
}

function composite(q: T.Tensor, k: T.Tensor, v: T.Tensor, scale: number): T.Tensor {
  return T.tidy(() => T.matmul(T.softmax(T.mul(T.matmul(q, T.transpose(k)), scale), -1), v));
}

const bits = (t: T.Tensor): Buffer => Buffer.from((t.dataSyncCpu() as Float32Array).buffer.slice(0));

describe.runIf(tier !== undefined)('wasm fused attention', () => {
  it('runs on ViT-like heads and gives the composite bits with a power-of-two scale, rounding-close otherwise', () => {
    const stats = tier!.attentionStats;
    for (const [b, l, h, d] of [
      [4, 50, 4, 16],
      [1, 197, 3, 64],
    ] as const) {
      const [q, k, v] = heads(b, l, h, d, l);
      for (const scale of [0.25, 0.7]) {
        const calls = stats.calls;
        const fused = T.attention(q!, k!, v!, scale);
        expect(stats.calls, `fused path for [${b}, ${h}, ${l}, ${d}]`).toBe(calls + 1);
        const want = composite(q!, k!, v!, scale);
        if (scale === 0.25) expect(bits(fused).equals(bits(want))).toBe(true);
        const [f, w] = [fused.dataSyncCpu(), want.dataSyncCpu()];
        let worst = 0;
        for (let i = 0; i < f.length; i++) worst = Math.max(worst, Math.abs(f[i]! - w[i]!));
        expect(worst).toBeLessThan(1e-5);
        fused.dispose();
        want.dispose();
      }
      for (const t of [q, k, v]) t!.dispose();
    }
  });

  it('declines shapes below its tile, a non-positive scale and a v without unit column stride', () => {
    const stats = tier!.attentionStats;
    const calls = stats.calls;
    const [q, k, v] = heads(2, 50, 2, 16, 3);
    const cases: [string, () => T.Tensor][] = [
      ['4 queries (below the 6-row tile)', () => T.attention(T.slice(q!, 2, 0, 4), k!, v!)],
      ['negative scale', () => T.attention(q!, k!, v!, -0.5)],
      [
        'v transposed in its last two dims',
        () => T.attention(q!, k!, T.transpose(T.randn([2, 2, 16, 50], { backend: 'cpu' }))),
      ],
    ];
    for (const [name, run] of cases) {
      const got = T.tidy(run);
      expect(stats.calls, name).toBe(calls);
      expect(got.dataSyncCpu().every(Number.isFinite), name).toBe(true);
      got.dispose();
    }
    for (const t of [q, k, v]) t!.dispose();
  });

  it('gives the same bits on 1, 2 and 3 threads', () => {
    const [q, k, v] = heads(8, 50, 4, 16, 5);
    const run = (n: number) => {
      tier!.setThreads(n);
      const out = T.attention(q!, k!, v!, 0.3);
      const b = bits(out);
      out.dispose();
      return b;
    };
    const one = run(1);
    expect(run(3).equals(one)).toBe(true);
    expect(run(2).equals(one)).toBe(true);
    for (const t of [q, k, v]) t!.dispose();
  });
});
