// CPU matmul tiers side by side: our JS tier, our WebAssembly tier on 1 and 2 threads, and TensorFlow.js
// (cpu and wasm backends), n×n @ n×n for n in 128..1024, in GFLOP/s. Each of our tiers runs in a child process
// configured only by the documented environment variables (NORGA_CPU_TIER=js, NORGA_THREADS=n), so one tier's
// JIT state, worker pool and heap never colour another's; tfjs runs in this process.
// Run: pnpm --filter @norga/tensor build && node packages/tensor/bench/wasm-matmul.mjs
// Writes bench/results/wasm.{md,json}. BENCH_SIZES=128,512 limits the sizes; the wasm tiers also time the ViT
// workloads' products (BENCH_SHAPES=0 skips them).
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultsDir, writeResults } from './common.mjs';

const sizes = (process.env.BENCH_SIZES ?? '128,256,512,1024').split(',').map(Number);
const budgetMs = Number(process.env.BENCH_BUDGET_MS ?? 1200);

/** Median and best seconds per call, after a warm-up, for about budgetMs (at least 3 calls). */
async function time(fn, budget) {
  await fn();
  const samples = [];
  const start = performance.now();
  while (samples.length < 3 || (performance.now() - start < budget && samples.length < 200)) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], best: samples[0], reps: samples.length };
}

const gflops = (n, s) => (2 * n ** 3) / s / 1e9;

/**
 * The products of the ViT workloads, as the model makes them (strided heads of one qkv buffer, transposed
 * weights, batch-broadcast weights): W2 is the tiny ViT at batch 64, W3 ViT-Ti/16 at batch 1.
 */
function modelShapes(T) {
  const r = (s) => T.rand(s);
  const heads = (i) => T.squeeze(T.slice(r([64, 50, 3, 4, 16]).permute([2, 0, 3, 1, 4]), 0, i, i + 1), 0);
  return [
    ['W2 probs @ v, 256 × 50×50 @ 50×16', () => [r([64, 4, 50, 50]), heads(2)]],
    ['W2 q @ kᵀ, 256 × 50×16 @ 16×50', () => [heads(0), T.transpose(heads(1))]],
    ['W2 probsᵀ @ g, 256 × 50×50 @ 50×16', () => [T.transpose(r([64, 4, 50, 50])), r([64, 4, 50, 16])]],
    ['W2 x @ Wᵀ, 3200×64 @ 64×256', () => [r([64, 50, 64]), T.transpose(r([256, 64]))]],
    ['W2 x @ W, 3200×256 @ 256×64', () => [r([64, 50, 256]), r([256, 64])]],
    ['W2 xᵀ @ g, 256×3200 @ 3200×64', () => [T.transpose(r([3200, 256])), r([3200, 64])]],
    ['W3 x @ Wqkvᵀ, 197×192 @ 192×576', () => [r([197, 192]), T.transpose(r([576, 192]))]],
    ['W3 q @ kᵀ, 3 × 197×64 @ 64×197', () => [r([3, 197, 64]), T.transpose(r([3, 197, 64]))]],
    ['W3 x @ W2ᵀ, 197×768 @ 768×192', () => [r([197, 768]), T.transpose(r([192, 768]))]],
  ];
}

async function child() {
  const T = await import('../dist/index.js');
  const out = [];
  for (const n of sizes) {
    const a = T.rand([n, n]);
    const b = T.rand([n, n]);
    const t = await time(() => T.matmul(a, b).dispose(), n >= 1024 ? budgetMs * 2 : budgetMs);
    out.push({ n, median: gflops(n, t.median), best: gflops(n, t.best), reps: t.reps });
    a.dispose();
    b.dispose();
  }
  const shapes = [];
  // the JS tier takes seconds on these; it is the reference, not a contender here
  if (process.env.NORGA_CPU_TIER !== 'js' && process.env.BENCH_SHAPES !== '0') {
    for (const [name, make] of modelShapes(T)) {
      const [a, b] = make();
      const c = T.matmul(a, b);
      const flops = (2 * c.size * a.shape[a.rank - 1]) / 1e9;
      c.dispose();
      const t = await time(() => T.matmul(a, b).dispose(), budgetMs / 2);
      shapes.push({ name, ms: t.median * 1e3, median: flops / t.median, best: flops / t.best, reps: t.reps });
      a.dispose();
      b.dispose();
    }
  }
  process.stdout.write(`${JSON.stringify({ square: out, shapes })}\n`);
}

async function tfjsRows(rows) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    await tf.ready();
    for (const n of sizes) {
      // tfjs-cpu at 1024² takes seconds per call; one timed call is enough to place it
      if (backend === 'cpu' && n > 512) continue;
      const a = tf.randomUniform([n, n]);
      const b = tf.randomUniform([n, n]);
      const t = await time(
        async () => {
          const c = tf.matMul(a, b);
          await c.data();
          c.dispose();
        },
        n >= 1024 ? budgetMs * 2 : budgetMs,
      );
      rows.push({
        impl: `tfjs-${backend}`,
        n,
        median: gflops(n, t.median),
        best: gflops(n, t.best),
        reps: t.reps,
      });
      a.dispose();
      b.dispose();
    }
  }
}

async function main() {
  const { loadavg } = await import('node:os');
  const loadBefore = loadavg()[0].toFixed(2);
  const self = fileURLToPath(import.meta.url);
  const tiers = [
    ['norga js tier', { NORGA_CPU_TIER: 'js' }],
    ['norga wasm 1 thread', { NORGA_CPU_TIER: 'wasm', NORGA_THREADS: '1' }],
    ['norga wasm 2 threads', { NORGA_CPU_TIER: 'wasm', NORGA_THREADS: '2' }],
  ];
  const rows = [];
  const shapeRows = [];
  for (const [impl, env] of tiers) {
    const r = spawnSync(process.execPath, [self, '--child'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`${impl} failed: ${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    const { square, shapes } = JSON.parse(lines[lines.length - 1]);
    for (const x of square) rows.push({ impl, ...x });
    for (const x of shapes) shapeRows.push({ impl, ...x });
  }
  await tfjsRows(rows);
  const tfw = new Map(rows.filter((r) => r.impl === 'tfjs-wasm').map((r) => [r.n, r.median]));
  const table = rows.map((r) => ({
    impl: r.impl,
    size: `${r.n}²`,
    'GFLOP/s (median)': r.median.toFixed(1),
    'GFLOP/s (best)': r.best.toFixed(1),
    'vs tfjs-wasm': tfw.has(r.n) ? `${(r.median / tfw.get(r.n)).toFixed(2)}×` : '',
    calls: r.reps,
  }));
  const load = loadavg()[0].toFixed(2);
  const notes = `n×n @ n×n float32 through the public API (T.matmul; tfjs: tf.matMul + data()); median and best of repeated calls. 1-minute load average ${loadBefore} before, ${load} after: on a shared 2-core machine other jobs depress the figures, the 2-thread ones most.`;
  writeResults('wasm', 'CPU matmul tiers vs TensorFlow.js', Object.keys(table[0]), table, {
    notes,
    shapes: shapeRows,
  });
  const shapeTable = [
    '## Model shapes (wasm tier)',
    '',
    '| impl | product | ms (median) | GFLOP/s (median) | GFLOP/s (best) |',
    '| --- | --- | --- | --- | --- |',
    ...shapeRows.map(
      (r) => `| ${r.impl} | ${r.name} | ${r.ms.toFixed(3)} | ${r.median.toFixed(1)} | ${r.best.toFixed(1)} |`,
    ),
  ].join('\n');
  appendFileSync(
    join(resultsDir, 'wasm.md'),
    `${notes}\n\n${shapeRows.length ? `${shapeTable}\n\n` : ''}Command: \`pnpm --filter @norga/tensor build && node packages/tensor/bench/wasm-matmul.mjs\`\n`,
  );
}

if (process.argv.includes('--child')) await child();
else await main();
