/**
 * The CPU backend's results do not depend on tensor size, offset or thread count: a row computed inside a
 * batch of 128 has the same bits as the same row computed alone (a tensor below every tier threshold, so on
 * the JS kernels) and as the same row sliced out of a larger buffer at an odd offset. Before float32 steps were
 * shared between the tiers (src/backends/f32-math.ts), exp differed by up to 3e-5 and gelu in most values.
 * Runs on the default tier; the forced-WebAssembly pass (NORGA_WASM_FORCE=1) and the JS tier run it too.
 */
import { describe, expect, it } from 'vitest';
import { cpuTier, WASM_FORCED } from '../../src/backends/wasm/backend.js';
import { getWasmTier } from '../../src/backends/wasm/tier.js';
import * as T from '../../src/index.js';

const ROWS = 128;
const COLS = 96;

function values(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 0.7123 + seed) * scale * Math.cos(i * 0.0131 + seed);
  return out;
}

const batch = values(ROWS * COLS, 1, 6);
/** Parameters made inside each test (the leak check wants every file to end where it started). */
let weight: T.Tensor;
let gamma: T.Tensor;
let beta: T.Tensor;

/** Per-row ops: each maps [n, COLS] to [n, k] and row i of the result depends on row i of the input only. */
const OPS: [string, (x: T.Tensor) => T.Tensor][] = [
  ['exp', (x) => T.exp(x)],
  ['tanh', (x) => T.tanh(x)],
  ['erf', (x) => T.erf(x)],
  ['sigmoid', (x) => T.sigmoid(x)],
  ['gelu', (x) => T.gelu(x)],
  ['gelu (tanh)', (x) => T.gelu(x, { approximate: 'tanh' })],
  ['softmax', (x) => T.softmax(x, -1)],
  ['logSoftmax', (x) => T.logSoftmax(x, -1)],
  ['row sum', (x) => T.sum(x, -1, true)],
  ['row mean and variance', (x) => T.concat([T.mean(x, -1, true), T.variance(x, -1, { keepdim: true })], -1)],
  ['layerNorm', (x) => T.layerNorm(x, [COLS], gamma, beta)],
  ['x @ W', (x) => T.matmul(x, weight)],
  ['gelu(x @ W + b) chain', (x) => T.gelu(T.add(T.matmul(x, weight), 0.25))],
  [
    'attention over 6 tokens × 16 (scale 0.3)',
    (x) => {
      const q = T.reshape(x, [-1, 6, 16]);
      return T.reshape(T.attention(q, q, T.mul(q, 0.5), 0.3), [-1, COLS]);
    },
  ],
];

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

async function rows(f: (x: T.Tensor) => T.Tensor, x: T.Tensor): Promise<Float32Array> {
  const y = T.tidy(() => f(x));
  const d = (await y.data()) as Float32Array;
  y.dispose();
  return d;
}

describe('CPU results do not depend on size, offset or threads', () => {
  for (const [name, f] of OPS) {
    it(`${name}: each row alone, at an offset and in the batch of ${ROWS} (1 and 2 threads) gives the same bits`, async () => {
      weight = T.tensor(values(COLS * 40, 2, 0.3), { shape: [COLS, 40] });
      gamma = T.tensor(values(COLS, 3, 1), { shape: [COLS] });
      beta = T.tensor(values(COLS, 4, 1), { shape: [COLS] });
      const tier = getWasmTier();
      const threads = tier?.threads ?? 1;
      const full = T.tensor(batch, { shape: [ROWS, COLS] });
      const inBatch = await rows(f, full);
      tier?.setThreads(1);
      const oneThread = await rows(f, full);
      tier?.setThreads(threads);
      full.dispose();
      expect(bits(oneThread)).toEqual(bits(inBatch));
      const per = inBatch.length / ROWS;
      let differ = 0;
      for (const r of [0, 1, 7, 64, ROWS - 1]) {
        const alone = T.tensor(batch.subarray(r * COLS, (r + 1) * COLS), { shape: [1, COLS] });
        const one = await rows(f, alone);
        alone.dispose();
        // the same row as a slice of a padded buffer: an odd offset, not 16-byte aligned
        const padded = new Float32Array(3 + COLS * 2);
        padded.set(batch.subarray(r * COLS, (r + 1) * COLS), 3);
        const buf = T.tensor(padded);
        const view = T.tidy(() => T.reshape(T.slice(buf, 0, 3, 3 + COLS), [1, COLS]));
        const shifted = await rows(f, view);
        for (const t of [buf, view]) t.dispose();
        const want = bits(inBatch.subarray(r * per, (r + 1) * per));
        for (const got of [bits(one), bits(shifted)])
          for (let i = 0; i < per; i++) if (got[i] !== want[i]) differ++;
      }
      for (const t of [weight, gamma, beta]) t.dispose();
      expect(differ, `${differ} values differ from the batch's`).toBe(0);
    });
  }

  it('the switch in effect: NORGA_WASM_FORCE=1 sends small work to the tier and its pool, else it stays on JS', async () => {
    const tier = getWasmTier();
    if (tier === undefined || cpuTier() === 'js') {
      // the JS tier pass: nothing to switch
      expect(process.env.NORGA_CPU_TIER === 'js' || tier === undefined).toBe(true);
      return;
    }
    const workers = await tier.warmUp();
    const stats = tier.elementwiseStats;
    const [calls, parallel] = [stats.calls, stats.parallelCalls];
    // 512 elements as 8 rows plus a per-row operand: a job the pool splits by rows
    const y = T.tidy(() =>
      T.add(T.tensor(values(512, 5, 1), { shape: [8, 64] }), T.tensor(values(8, 6, 1), { shape: [8, 1] })),
    );
    y.dispose();
    expect(stats.calls - calls).toBe(WASM_FORCED ? 1 : 0);
    expect(stats.parallelCalls - parallel).toBe(WASM_FORCED && workers ? 1 : 0);
  });
});
