// `pnpm bench` for @norga/autograd: one AdamW training step of a 3-layer MLP (784-256-256-10, ReLU, batch
// 128, cross-entropy) in samples/s, on our CPU backend (and WebGPU when an adapter is found) and, in the same
// process, the same model in TensorFlow.js on its cpu and wasm backends (AdamW written with tfjs ops, since
// tfjs has none). Writes bench/results.md and bench/results.json.
// Run: pnpm --filter @norga/autograd bench   (after a build: node --expose-gc bench/run.mjs)
import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as T from '@norga/tensor';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { AdamW, crossEntropy, Linear, ReLU, Sequential } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);

const SIZES = [784, 256, 256, 10];
const BATCH = 128;
const BUDGET_MS = Number(process.env.BENCH_MS ?? 4000);
const LR = 1e-3;
const WD = 0.01;

/** Median seconds per call after warm-up, repeated for about BUDGET_MS. */
async function timeIt(fn) {
  for (let i = 0; i < 3; i++) await fn();
  const samples = [];
  const start = performance.now();
  while (samples.length < 5 || performance.now() - start < BUDGET_MS) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / 1000);
    if (samples.length >= 300) break;
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], steps: samples.length };
}

const rows = [];
function report(impl, { median, steps }, loss0, lossN) {
  const row = {
    impl,
    'samples/s': Math.round(BATCH / median),
    'ms/step': (median * 1000).toFixed(2),
    steps,
    'loss first → last': `${loss0.toFixed(3)} → ${lossN.toFixed(3)}`,
  };
  rows.push(row);
  console.log(row);
}

async function ours(backend, adapter) {
  T.manualSeed(0);
  const o = { backend };
  const model = new Sequential(
    new Linear(SIZES[0], SIZES[1], o),
    new ReLU(),
    new Linear(SIZES[1], SIZES[2], o),
    new ReLU(),
    new Linear(SIZES[2], SIZES[3], o),
  );
  const opt = new AdamW(model.parameters(), { lr: LR, weightDecay: WD });
  const x = T.randn([BATCH, SIZES[0]], o);
  const y = T.randint(0, SIZES[3], [BATCH], o);
  let first = Number.NaN;
  let last = Number.NaN;
  const step = async () => {
    opt.zeroGrad();
    const loss = T.tidy(() => crossEntropy(model.forward(x), y));
    loss.backward();
    opt.step();
    last = await loss.item(); // a read per step: on WebGPU this waits for the step to finish
    if (Number.isNaN(first)) first = last;
    loss.dispose();
  };
  await step(); // creates the gradients and the optimiser state
  const before = T.memory();
  const t = await timeIt(step);
  const after = T.memory();
  if (after.tensors !== before.tensors)
    throw new Error(`bench leaked ${after.tensors - before.tensors} tensors`);
  report(`norga ${backend}${adapter ? ` (${adapter})` : ''}`, t, first, last);
  opt.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
}

async function tfjs(backend) {
  await tf.setBackend(backend);
  await tf.ready();
  // torch.nn.Linear's initialisation, so both start alike.
  const params = [];
  for (let i = 0; i < 3; i++) {
    const b = 1 / Math.sqrt(SIZES[i]);
    params.push(
      tf.variable(tf.randomUniform([SIZES[i], SIZES[i + 1]], -b, b)),
      tf.variable(tf.randomUniform([SIZES[i + 1]], -b, b)),
    );
  }
  const m = params.map((p) => tf.variable(tf.zerosLike(p)));
  const v = params.map((p) => tf.variable(tf.zerosLike(p)));
  const x = tf.randomNormal([BATCH, SIZES[0]]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, SIZES[3], 'int32'), SIZES[3]);
  const forward = () => {
    let h = x;
    for (let i = 0; i < 3; i++) {
      h = tf.add(tf.matMul(h, params[2 * i]), params[2 * i + 1]);
      if (i < 2) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(y, h);
  };
  let t = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  const step = async () => {
    t++;
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(forward, params);
      const bc1 = 1 - 0.9 ** t;
      const bc2 = 1 - 0.999 ** t;
      params.forEach((p, i) => {
        const g = grads[p.name];
        m[i].assign(tf.add(tf.mul(m[i], 0.9), tf.mul(g, 0.1)));
        v[i].assign(tf.add(tf.mul(v[i], 0.999), tf.mul(tf.square(g), 0.001)));
        const denom = tf.add(tf.div(tf.sqrt(v[i]), Math.sqrt(bc2)), 1e-8);
        p.assign(tf.sub(tf.mul(p, 1 - LR * WD), tf.mul(tf.div(m[i], denom), LR / bc1)));
      });
      return value;
    });
    last = (await loss.data())[0];
    if (Number.isNaN(first)) first = last;
    loss.dispose();
  };
  await step();
  const before = tf.memory().numTensors;
  const r = await timeIt(step);
  if (tf.memory().numTensors !== before)
    throw new Error(`tfjs bench leaked ${tf.memory().numTensors - before} tensors`);
  report(`tfjs-${backend}`, r, first, last);
  for (const a of [...params, ...m, ...v, x, y]) a.dispose();
}

await ours('cpu');
try {
  const gpu = await T.initBackend('webgpu');
  await ours('webgpu', gpu.adapterName);
  T.disposeBackend('webgpu');
} catch (e) {
  console.log(`[bench] skipping norga webgpu: ${e.message}`);
}
await tfjs('cpu');
await tfjs('wasm');

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  date: new Date().toISOString(),
};
const title = `AdamW training step, MLP ${SIZES.join('-')}, batch ${BATCH}`;
const columns = ['impl', 'samples/s', 'ms/step', 'steps', 'loss first → last'];
const md = [
  `# ${title}`,
  '',
  `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}. One process; median of`,
  `repeated steps (forward, backward, AdamW update, one read of the loss) after 3 warm-up steps.`,
  '',
  `| ${columns.join(' | ')} |`,
  `| ${columns.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${columns.map((c) => r[c]).join(' | ')} |`),
  '',
].join('\n');
for (const [ext, text] of [
  ['json', JSON.stringify({ title, machine, rows }, null, 2)],
  ['md', md],
]) {
  const file = join(here, `results.${ext}`);
  writeFileSync(`${file}.tmp`, `${text}\n`);
  renameSync(`${file}.tmp`, file);
}
console.log(md);
