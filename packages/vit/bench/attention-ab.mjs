// The fused attention inside the models: W2 training and inference (batch 64) and W3 inference (batch 1) on the
// CPU backend with the backend's fused attention kernel, and with it switched off (the op then runs its
// composite), in alternating rounds in one process. Each figure is the best call of 6 rounds × 10 calls.
// Run: pnpm --filter @norga/vit build && node --expose-gc packages/vit/bench/attention-ab.mjs
// Writes bench/results/attention-ab.{md,json}.
import * as T from '@norga/tensor';
import * as vit from '../dist/index.js';
import { createTrainStep, inference } from '../dist/train.js';
import { writeResults } from './common.mjs';

// the 'cpu' backend's own class: the WebAssembly backend, or the JS reference under NORGA_CPU_TIER=js
const proto = Object.getPrototypeOf(T.getBackend('cpu'));
const fused = proto.attention;
const W = [
  ['W2 train, batch 64', vit.VIT_CONFIGS.tiny, [64, 1, 28, 28], true],
  ['W2 infer, batch 64', vit.VIT_CONFIGS.tiny, [64, 1, 28, 28]],
  ['W3 infer, batch 1', vit.VIT_CONFIGS.vit_tiny_patch16_224, [1, 3, 224, 224]],
];
const rows = [];
for (const [id, cfg, shape, train] of W) {
  const model = vit.ViT.create(cfg, { seed: 0 });
  const x = T.randn(shape);
  const y = T.randint(0, cfg.numClasses, [shape[0]]);
  const step = train ? createTrainStep(model, { lr: 1e-3, weightDecay: 0.05 }) : undefined;
  const run = async () => {
    if (step) {
      await (await step(x, y)).loss;
      return;
    }
    const logits = inference(() => model.forward(x));
    await logits.data();
    logits.dispose();
  };
  for (let i = 0; i < 10; i++) await run();
  const best = { fused: Number.POSITIVE_INFINITY, composite: Number.POSITIVE_INFINITY };
  for (let round = 0; round < 6; round++) {
    for (const mode of ['fused', 'composite']) {
      proto.attention = mode === 'fused' ? fused : () => false;
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        await run();
        best[mode] = Math.min(best[mode], performance.now() - t0);
      }
    }
  }
  proto.attention = fused;
  for (const mode of ['fused', 'composite'])
    rows.push({ workload: id, attention: mode, 'ms per call': best[mode].toFixed(2) });
  step?.dispose?.();
  x.dispose();
  y.dispose();
  model.dispose();
}
writeResults(
  'attention-ab',
  'Fused attention inside the models, CPU backend',
  ['workload', 'attention', 'ms per call'],
  rows,
);
