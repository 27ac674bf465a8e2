// W2 (tiny-ViT training step and inference, batch 64) and W3 (ViT-Ti/16 inference, batch 1 and 8):
// @norga/vit vs TensorFlow.js (cpu, wasm, webgpu on the same Dawn adapter), side by side in one process.
// Run: pnpm --filter @norga/vit bench   (builds first; BENCH_IMPLS=norga-cpu,tfjs-wasm to pick)
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { timeIt, writeResults } from './common.mjs';
import { createTfTrainer, createTfViT } from './tfjs-vit.mjs';

const require = createRequire(import.meta.url);
const IMPLS = (process.env.BENCH_IMPLS ?? 'norga-cpu,norga-webgpu,tfjs-cpu,tfjs-wasm,tfjs-webgpu').split(',');
const BUDGET = Number(process.env.BENCH_BUDGET_MS ?? 4000);

const TINY = {
  imageSize: 28,
  patchSize: 4,
  inChannels: 1,
  dim: 64,
  depth: 4,
  heads: 4,
  mlpDim: 256,
  numClasses: 10,
  layerNormEps: 1e-6,
};
const TI16 = {
  imageSize: 224,
  patchSize: 16,
  inChannels: 3,
  dim: 192,
  depth: 12,
  heads: 3,
  mlpDim: 768,
  numClasses: 1000,
  layerNormEps: 1e-6,
};
const W = [
  { id: 'W2 train', cfg: TINY, batch: 64, train: true },
  { id: 'W2 infer', cfg: TINY, batch: 64, train: false },
  { id: 'W3 infer b1', cfg: TI16, batch: 1, train: false },
  { id: 'W3 infer b8', cfg: TI16, batch: 8, train: false },
];

/** images/s, or why not (a call slower than the per-call limit leaves the others running). */
async function rate(batch, measure) {
  try {
    return batch / (await measure());
  } catch (e) {
    return `n/a (${e.message})`;
  }
}

let dawn = null;
/** One Dawn instance for everybody (the `webgpu` package); null + reason when there is no adapter. */
async function dawnGpu() {
  if (dawn !== null) return dawn;
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const gpu = create([]);
    const adapter = await gpu.requestAdapter();
    const info = adapter?.info ?? {};
    dawn = adapter
      ? {
          gpu,
          name: [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unnamed adapter',
        }
      : { reason: 'no WebGPU adapter found' };
  } catch (e) {
    dawn = { reason: `webgpu package unavailable: ${e.message}` };
  }
  return dawn;
}

async function benchNorga(backend) {
  const T = await import('@norga/tensor');
  const vit = await import('../dist/index.js');
  if (backend === 'webgpu') {
    const d = await dawnGpu();
    if (!d.gpu) return { skip: d.reason };
  }
  try {
    await T.setBackend(backend);
  } catch (e) {
    return { skip: e.message };
  }
  let train = null;
  try {
    train = await import('../dist/train.js');
  } catch (e) {
    train = { missing: e.message };
  }
  const out = {};
  for (const w of W) {
    const model = vit.ViT.create(w.cfg, { seed: 0 });
    const x = T.randn([w.batch, w.cfg.inChannels, w.cfg.imageSize, w.cfg.imageSize]);
    const y = T.randint(0, w.cfg.numClasses, [w.batch]);
    if (w.train) {
      if (train.createTrainStep === undefined) {
        out[w.id] = `n/a (${train.missing ?? 'no trainer'})`;
      } else {
        const step = train.createTrainStep(model, { lr: 1e-3, weightDecay: 0.05 });
        out[w.id] = await rate(w.batch, () =>
          timeIt(async () => (await step(x, y)).loss, { budgetMs: BUDGET }),
        );
        step.dispose?.();
      }
    } else {
      out[w.id] = await rate(w.batch, () =>
        timeIt(
          async () => {
            const logits = train.inference ? train.inference(() => model.forward(x)) : model.forward(x);
            await logits.data();
            logits.dispose();
          },
          { budgetMs: BUDGET, minReps: 2 },
        ),
      );
    }
    for (const t of [x, y]) t.dispose();
    model.dispose();
  }
  return out;
}

async function benchTf(backend) {
  const tf = require('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  }
  if (backend === 'webgpu') {
    const d = await dawnGpu();
    if (!d.gpu) return { skip: d.reason };
    globalThis.navigator ??= {};
    globalThis.navigator.gpu = d.gpu;
    require('@tensorflow/tfjs-backend-webgpu');
  }
  if (!(await tf.setBackend(backend))) return { skip: `tfjs could not initialise ${backend}` };
  await tf.ready();
  const out = {};
  for (const w of W) {
    const model = createTfViT(tf, w.cfg, 0);
    const x = tf.randomNormal([w.batch, w.cfg.inChannels, w.cfg.imageSize, w.cfg.imageSize]);
    const labels = tf.randomUniform([w.batch], 0, w.cfg.numClasses, 'int32');
    const y = tf.oneHot(labels, w.cfg.numClasses);
    if (w.train) {
      const step = createTfTrainer(tf, model, { lr: 1e-3, weightDecay: 0.05 });
      out[w.id] = await rate(w.batch, () =>
        timeIt(
          async () => {
            const loss = step(x, y);
            await loss.data();
            loss.dispose();
          },
          { budgetMs: BUDGET },
        ),
      );
    } else {
      out[w.id] = await rate(w.batch, () =>
        timeIt(
          async () => {
            const logits = tf.tidy(() => model.forward(x));
            await logits.data();
            logits.dispose();
          },
          { budgetMs: BUDGET, minReps: 2 },
        ),
      );
    }
    tf.dispose([x, labels, y, ...model.variables]);
  }
  return out;
}

// Passes in alternating order, keeping each figure's best: on a loaded machine this evens out who ran when.
const PASSES = Number(process.env.BENCH_PASSES ?? 2);
const best = new Map();
const skipped = new Map();
for (let pass = 0; pass < PASSES; pass++) {
  for (const impl of pass % 2 === 0 ? IMPLS : [...IMPLS].reverse()) {
    if (skipped.has(impl)) continue;
    const [lib, backend] = impl.split('-');
    console.error(`[bench] pass ${pass + 1}: ${impl} ...`);
    let r;
    try {
      r = lib === 'norga' ? await benchNorga(backend) : await benchTf(backend);
    } catch (e) {
      r = { skip: `failed: ${e.message}` };
    }
    if (r.skip) {
      skipped.set(impl, r.skip);
      continue;
    }
    const prev = best.get(impl) ?? {};
    for (const w of W) {
      const v = r[w.id];
      prev[w.id] =
        typeof v === 'number' && typeof prev[w.id] === 'number' ? Math.max(v, prev[w.id]) : (prev[w.id] ?? v);
    }
    best.set(impl, prev);
    console.error(`[bench] ${impl}: ${JSON.stringify(r)}`);
  }
}
const rows = [];
const notes = [];
for (const impl of IMPLS) {
  if (skipped.has(impl)) {
    notes.push(`${impl}: skipped (${skipped.get(impl)})`);
    continue;
  }
  const r = best.get(impl);
  const row = { impl };
  for (const w of W) row[w.id] = typeof r[w.id] === 'number' ? r[w.id].toFixed(1) : r[w.id];
  rows.push(row);
}
notes.push(
  `Figures are images/s from the fastest call, best of ${PASSES} passes in alternating order; W2 = tiny ViT 28×28×1, patch 4, dim 64, depth 4, heads 4, MLP 256, batch 64, AdamW lr 1e-3 (weight decay 0.05); W3 = ViT-Ti/16 224×224×3.`,
);
if (dawn?.name) notes.push(`WebGPU adapter (Dawn via the webgpu package): ${dawn.name}.`);
notes.push(
  `Load average at the end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')} (1 / 5 / 15 min) on ${cpus().length} cores.`,
);
writeResults(
  'vit',
  'ViT workloads: @norga/vit vs TensorFlow.js (images/s)',
  ['impl', ...W.map((w) => w.id)],
  rows,
  notes,
);
