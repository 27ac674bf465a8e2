// WebGPU backend vs @tensorflow/tfjs-backend-webgpu, one process, one Dawn adapter (navigator.gpu is set to
// the `webgpu` package's GPU before either library loads):
//   - matmul n×n @ n×n, n in 128..1024, for each of our kernel versions (naive, tiled, blocked, strip, wide)
//     and `auto`;
//   - a ViT-like block (layerNorm, qkv projection, 3-head attention with softmax, output projection, MLP with
//     GELU, residuals) on [2, 197, 192];
//   - dispatch overhead: CPU microseconds to record one small elementwise op (GPU time excluded); tfjs twice,
//     with its default CPU forwarding of small ops and with GPU dispatch (see tfjsOverhead).
// Matmul and ViT figures are the best of 3 interleaved rounds (see ROUNDS). Each forced version is timed in a
// child process of this script started with NORGA_WEBGPU_MATMUL=<version> (the backend has no switch for it).
// Results: bench/results/webgpu.{md,json}. Run: pnpm --filter @norga/tensor bench webgpu (after a build).
// BENCH_SIZES=128,256 and BENCH_QUICK=1 shorten it (scripts/device-check.mjs uses them); while iterating,
// BENCH_VERSIONS=strip,blocked picks the forced versions measured beside `auto`, BENCH_PARTS=matmul,vit,overhead
// the sections (all by default); NORGA_WEBGPU_MATMUL=strip runs the whole script, the ViT block included, on one
// matmul version; results of a partial run go to BENCH_NAME (default webgpu).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';
import { timeIt, writeResults } from './common.mjs';

/** Set in the child processes that time one forced matmul version (see forcedVersionGflops). */
const FORCED_CHILD = process.env.BENCH_FORCED_CHILD === '1';

Object.assign(globalThis, globals); // GPUBufferUsage, GPUMapMode, ... (tfjs-webgpu reads these globals)
const gpu = create([]);
Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });

const adapter = await gpu.requestAdapter();
if (!adapter) {
  console.log('bench/webgpu: no WebGPU adapter (install Mesa lavapipe: scripts/install-system.sh); skipped');
  process.exit(0);
}
const info = adapter.info ?? {};
const adapterName = [info.vendor, info.architecture, info.device, info.description]
  .filter(Boolean)
  .join(' / ');

const T = await import('../dist/index.js');
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-webgpu');

const quick = process.env.BENCH_QUICK === '1';
const sizes = (process.env.BENCH_SIZES ?? '128,256,512,1024').split(',').map(Number);
const versions = (process.env.BENCH_VERSIONS ?? 'naive,tiled,blocked,strip,wide').split(',').filter(Boolean);
const parts = new Set((process.env.BENCH_PARTS ?? 'matmul,vit,overhead').split(','));
const budget = (n) => (quick ? 300 : n >= 1024 ? 4000 : 1500);
const rows = [];
const row = (impl, op, value, unit) => rows.push({ impl, op, value, unit });

await T.setBackend('webgpu');
const backend = T.getBackend('webgpu');
console.log(`adapter: ${backend.adapterName ?? adapterName}`);

// --- matmul -------------------------------------------------------------------------------------------
/**
 * Matmuls per timed sample, so that no size is dominated by the read that ends each sample (a submit and a
 * map: tens of microseconds on lavapipe, where one 1024² product takes ~100 ms, but longer than a whole
 * 1024² product on a real GPU). Calibrated once per size on our `auto` kernel, to about 20 ms of work per
 * sample, and used for every implementation at that size. Each sample reads back only the first row.
 */
const perSampleBySize = new Map();
async function perSample(n) {
  let k = perSampleBySize.get(n);
  if (k !== undefined) return k;
  const a = T.rand([n, n]);
  const b = T.rand([n, n]);
  const once = async (reps) => {
    const t0 = performance.now();
    const cs = Array.from({ length: reps }, () => T.matmul(a, b));
    await T.slice(cs[reps - 1], 0, 0, 1).data();
    for (const c of cs) c.dispose();
    return performance.now() - t0;
  };
  await once(1); // compiles the pipeline
  const ms = Math.min(await once(4), await once(4)) / 4;
  k = Math.max(1, Math.min(256, Math.round(20 / ms)));
  a.dispose();
  b.dispose();
  perSampleBySize.set(n, k);
  return k;
}

/**
 * Matmul figures are the best of ROUNDS interleaved rounds (auto, tfjs, each version, then again): on a shared
 * machine the load drifts within a run, and each implementation gets the same chances at a quiet moment.
 */
const ROUNDS = quick ? 1 : 3;
const bestGflops = new Map();
function keepBest(impl, n, gflops) {
  const key = `${impl}\u0000${n}`;
  bestGflops.set(key, Math.max(bestGflops.get(key) ?? 0, gflops));
}

/** `auto`, or in a child started with NORGA_WEBGPU_MATMUL, the version that pins. */
async function oursMatmul(n) {
  {
    const a = T.rand([n, n]);
    const b = T.rand([n, n]);
    const k = await perSample(n);
    const s = await timeIt(
      async () => {
        let c;
        for (let i = 0; i < k; i++) {
          c?.dispose();
          c = T.matmul(a, b);
        }
        const first = T.slice(c, 0, 0, 1);
        await first.data();
        first.dispose();
        c.dispose();
      },
      budget(n) / ROUNDS,
      2,
    );
    keepBest('norga auto', n, (2 * n ** 3 * k) / s / 1e9);
    a.dispose();
    b.dispose();
  }
}

/**
 * Best GFLOP/s per size of one forced version: this script again in a child process pinned to it
 * (NORGA_WEBGPU_MATMUL), its matmul section only, without tfjs; the child prints its figures as JSON.
 */
function forcedVersionGflops(version) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, NORGA_WEBGPU_MATMUL: version, BENCH_FORCED_CHILD: '1', BENCH_PARTS: 'matmul' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').at(-1));
}

async function tfjsMatmul(n) {
  {
    const a = tf.randomUniform([n, n]);
    const b = tf.randomUniform([n, n]);
    const k = await perSample(n);
    const s = await timeIt(
      async () => {
        let c;
        for (let i = 0; i < k; i++) {
          c?.dispose();
          c = tf.matMul(a, b);
        }
        const first = tf.slice(c, [0, 0], [1, n]);
        await first.data();
        first.dispose();
        c.dispose();
      },
      budget(n) / ROUNDS,
      2,
    );
    keepBest('tfjs-webgpu', n, (2 * n ** 3 * k) / s / 1e9);
    a.dispose();
    b.dispose();
  }
}

// --- ViT-like block -----------------------------------------------------------------------------------
const B = 2;
const L = 197;
const D = 192;
const H = 3;
const HD = D / H;
const MLP = 4 * D;

function oursBlock(p) {
  return (x) =>
    T.tidy(() => {
      const h = T.layerNorm(x, [D], p.g1, p.b1);
      const qkv = T.add(T.matmul(h, T.transpose(p.wqkv)), p.bqkv); // [B, L, 3D]
      const heads = T.permute(T.reshape(qkv, [B, L, 3, H, HD]), [2, 0, 3, 1, 4]); // [3, B, H, L, HD]
      const [q, k, v] = T.split(heads, 1, 0).map((t) => T.squeeze(t, 0));
      const att = T.softmax(T.mul(T.matmul(q, T.transpose(k)), 1 / Math.sqrt(HD)), -1);
      const o = T.reshape(T.permute(T.matmul(att, v), [0, 2, 1, 3]), [B, L, D]);
      const x1 = T.add(x, T.add(T.matmul(o, T.transpose(p.wo)), p.bo));
      const h2 = T.layerNorm(x1, [D], p.g2, p.b2);
      const m = T.gelu(T.add(T.matmul(h2, T.transpose(p.w1)), p.bm1));
      return T.add(x1, T.add(T.matmul(m, T.transpose(p.w2)), p.bm2));
    });
}

function tfjsBlock(p) {
  const ln = (x, g, b) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  return (x) =>
    tf.tidy(() => {
      const h = ln(x, p.g1, p.b1);
      const qkv = tf.add(tf.matMul(tf.reshape(h, [B * L, D]), p.wqkv, false, true), p.bqkv);
      const heads = tf.transpose(tf.reshape(qkv, [B, L, 3, H, HD]), [2, 0, 3, 1, 4]);
      const [q, k, v] = tf.split(heads, 3, 0).map((t) => tf.reshape(t, [B * H, L, HD]));
      const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(HD)));
      const o = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, v), [B, H, L, HD]), [0, 2, 1, 3]), [
        B * L,
        D,
      ]);
      const x1 = tf.add(tf.reshape(x, [B * L, D]), tf.add(tf.matMul(o, p.wo, false, true), p.bo));
      const h2 = ln(x1, p.g2, p.b2);
      const m = gelu(tf.add(tf.matMul(h2, p.w1, false, true), p.bm1));
      return tf.reshape(tf.add(x1, tf.add(tf.matMul(m, p.w2, false, true), p.bm2)), [B, L, D]);
    });
}

const shapes = {
  g1: [D],
  b1: [D],
  wqkv: [3 * D, D],
  bqkv: [3 * D],
  wo: [D, D],
  bo: [D],
  g2: [D],
  b2: [D],
  w1: [MLP, D],
  bm1: [MLP],
  w2: [D, MLP],
  bm2: [D],
};
const blockFlops = 2 * B * L * (D * 3 * D + D * D + 2 * D * MLP) + 2 * 2 * B * H * L * L * HD;

/** Median seconds per block over a share of the budget (the caller interleaves rounds, as for matmul). */
async function timeBlock(run, x, read) {
  return timeIt(
    async () => {
      const y = run(x);
      await read(y);
      y.dispose();
    },
    (quick ? 500 : 3000) / ROUNDS,
    3,
  );
}

function blockRows(impl, s) {
  row(impl, `ViT block [${B},${L},${D}]`, (s * 1000).toFixed(1), 'ms');
  row(impl, `ViT block [${B},${L},${D}]`, (blockFlops / s / 1e9).toFixed(2), 'GFLOP/s');
}

// --- dispatch overhead -------------------------------------------------------------------------------
async function oursOverhead() {
  const x = T.rand([16]);
  const n = quick ? 300 : 1000;
  let y = T.add(x, x);
  await y.data();
  // Best of several rounds: the recording cost itself, not the other processes sharing the CPU.
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const z = T.add(y, x);
      y.dispose();
      y = z;
    }
    best = Math.min(best, performance.now() - t0);
    await y.data();
  }
  row('norga', 'dispatch overhead (add of 16)', ((best * 1000) / n).toFixed(1), 'µs CPU/op');
  y.dispose();
  x.dispose();
}

/**
 * tfjs-webgpu runs an op on the CPU when every input is under 1000 elements and has no GPU copy yet
 * (WEBGPU_CPU_FORWARD, on by default), which is the case for this loop: that row measures tfjs's CPU path.
 * The second row turns forwarding off, so tfjs records GPU dispatches like norga does.
 */
async function tfjsOverhead(cpuForward) {
  tf.env().set('WEBGPU_CPU_FORWARD', cpuForward);
  const x = tf.randomUniform([16]);
  const n = quick ? 300 : 1000;
  let y = tf.add(x, x);
  await y.data();
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const z = tf.add(y, x);
      y.dispose();
      y = z;
    }
    best = Math.min(best, performance.now() - t0);
    await y.data();
  }
  const impl = cpuForward ? 'tfjs-webgpu (CPU forwarding, default)' : 'tfjs-webgpu (GPU dispatch)';
  row(impl, 'dispatch overhead (add of 16)', ((best * 1000) / n).toFixed(1), 'µs CPU/op');
  y.dispose();
  x.dispose();
  tf.env().set('WEBGPU_CPU_FORWARD', true);
}

// --- run ------------------------------------------------------------------------------------------------
await tf.setBackend('webgpu');
await tf.ready();

// Per size, every implementation in turn: on a shared machine the load drifts, and neighbours in time see
// about the same load, which keeps the norga/tfjs ratios fair.
for (const n of parts.has('matmul') ? sizes : []) {
  for (let round = 0; round < ROUNDS; round++) {
    await oursMatmul(n);
    if (!FORCED_CHILD) await tfjsMatmul(n);
  }
}
if (FORCED_CHILD) {
  console.log(
    JSON.stringify(Object.fromEntries(sizes.map((n) => [n, bestGflops.get(`norga auto\u0000${n}`)]))),
  );
  process.exit(0);
}
for (const v of parts.has('matmul') ? versions : []) {
  for (const [n, gflops] of Object.entries(forcedVersionGflops(v))) keepBest(`norga ${v}`, n, gflops);
}
for (const [key, gflops] of bestGflops) {
  const [impl, n] = key.split('\u0000');
  row(impl, `matmul ${n}²`, gflops.toFixed(2), 'GFLOP/s');
}
rows.sort((a, b) => (a.impl === b.impl ? 0 : a.impl < b.impl ? -1 : 1));

let maxDiff = Number.NaN;
if (parts.has('vit')) await vitBlock();
async function vitBlock() {
  T.manualSeed(1);
  const ourParams = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, T.mul(T.randn(s), 0.05)]));
  const tfParams = {};
  for (const [k, t] of Object.entries(ourParams)) tfParams[k] = tf.tensor(await t.data(), t.shape);
  const xo = T.randn([B, L, D]);
  const xt = tf.tensor(await xo.data(), [B, L, D]);
  // Same inputs, same maths: check the two agree before timing them.
  const yo = await oursBlock(ourParams)(xo).data();
  const ytT = tfjsBlock(tfParams)(xt);
  const yt = await ytT.data();
  ytT.dispose();
  maxDiff = 0;
  for (let i = 0; i < yo.length; i++) maxDiff = Math.max(maxDiff, Math.abs(yo[i] - yt[i]));
  console.log(`ViT block: max |norga - tfjs| = ${maxDiff.toExponential(2)}`);
  if (!(maxDiff < 1e-3)) throw new Error(`ViT block outputs disagree (max diff ${maxDiff})`);
  let [ours, theirs] = [Infinity, Infinity];
  for (let round = 0; round < ROUNDS; round++) {
    ours = Math.min(ours, await timeBlock(oursBlock(ourParams), xo, (y) => y.data()));
    theirs = Math.min(theirs, await timeBlock(tfjsBlock(tfParams), xt, (y) => y.data()));
  }
  blockRows('norga', ours);
  blockRows('tfjs-webgpu', theirs);
  for (const t of Object.values(ourParams)) t.dispose();
  for (const t of Object.values(tfParams)) t.dispose();
  xo.dispose();
  xt.dispose();
}

if (parts.has('overhead')) {
  await oursOverhead();
  await tfjsOverhead(true);
  await tfjsOverhead(false);
}

const g = (impl, op) =>
  Number(rows.find((r) => r.impl === impl && r.op === op && r.unit === 'GFLOP/s')?.value);
const ratios = sizes.map(
  (n) => `${n}²: ${(g('norga auto', `matmul ${n}²`) / g('tfjs-webgpu', `matmul ${n}²`)).toFixed(2)}×`,
);
console.log(`norga auto / tfjs-webgpu matmul: ${ratios.join(', ')}`);

writeResults(
  process.env.BENCH_NAME ?? 'webgpu',
  `WebGPU: norga vs tfjs-webgpu on ${adapterName || 'unknown adapter'}`,
  ['impl', 'op', 'value', 'unit'],
  rows,
  { adapter: adapterName, ratiosAutoVsTfjs: ratios, vitBlockMaxDiff: maxDiff, stats: backend.recorder.stats },
);
T.disposeBackend('webgpu');
tf.disposeVariables();
process.exit(0);
