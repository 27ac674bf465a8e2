// Fused attention vs its composite on the CPU backend (WebAssembly tier, all threads): T.attention against
// matmul, scale, softmax, matmul on the same strided heads of one qkv buffer, as the ViT workloads make them.
// Each figure is the best of 5 interleaved rounds' median call times.
// Run: pnpm --filter @norga/tensor build && node --expose-gc packages/tensor/bench/attention.mjs
// Writes bench/results/attention.{md,json}.
import { writeResults } from './common.mjs';

const T = await import('../dist/index.js');
await T.getWasmTier()?.warmUp();
const CASES = [
  ['W2: 64 images × 4 heads, 50 tokens, head dim 16', [64, 4, 50, 16]],
  ['W3: 1 image × 3 heads, 197 tokens, head dim 64', [1, 3, 197, 64]],
];
const rows = [];
for (const [name, [b, h, l, d]] of CASES) {
  const qkv = T.randn([b, l, 3, h, d]);
  const [q, k, v] = [0, 1, 2].map((i) => T.squeeze(T.slice(qkv, 2, i, i + 1), 2).permute([0, 2, 1, 3]));
  const scale = 1 / Math.sqrt(d);
  const impls = {
    'norga attention (fused)': () => T.attention(q, k, v, scale),
    'norga composite': () => T.matmul(T.softmax(T.mul(T.matmul(q, T.transpose(k)), scale), -1), v),
  };
  const best = {};
  for (let round = 0; round < 5; round++) {
    for (const [impl, fn] of Object.entries(impls)) {
      for (let i = 0; i < 5; i++) T.tidy(fn).dispose();
      const ts = [];
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        T.tidy(fn).dispose();
        ts.push(performance.now() - t0);
      }
      ts.sort((x, y) => x - y);
      best[impl] = Math.min(best[impl] ?? Number.POSITIVE_INFINITY, ts[ts.length >> 1]);
    }
  }
  for (const [impl, ms] of Object.entries(best)) rows.push({ impl, case: name, ms: ms.toFixed(3) });
  for (const t of [qkv, q, k, v]) t.dispose();
}
writeResults(
  'attention',
  'Attention on the CPU backend: fused vs composite (ms per call)',
  ['impl', 'case', 'ms'],
  rows,
  {
    tier: T.cpuTier(),
  },
);
