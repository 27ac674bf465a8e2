// Where a W2 tiny-ViT training step (28×28×1, patch 4, dim 64, depth 4, heads 4, MLP 256, batch 64, AdamW)
// spends its time on the CPU backend, per kernel family. Each method of the 'cpu' backend is wrapped with a timer; the
// rest of the step (front-end ops, the autograd tape, allocation bookkeeping, GC) is "outside kernels".
// With --calls, also the 25 costliest call signatures (kernel, expression, shapes, strides): which products
// and which elementwise chains the time goes to.
// Run: pnpm --filter @norga/vit build && node --expose-gc packages/vit/bench/profile-w2.mjs [steps] [--calls]
import * as T from '@norga/tensor';
import * as vit from '../dist/index.js';
import { createTrainStep } from '../dist/train.js';

const args = process.argv.slice(2);
const steps = Number(args.find((a) => !a.startsWith('--')) ?? 30);
const byCall = args.includes('--calls');
const layout = (v) => `[${v.shape}]/[${v.strides}]`;
const signature = {
  elementwise: (e, ins, out) =>
    `elementwise ${T.expr.exprKey(e).slice(0, 60)} -> [${out.shape}] from ${ins.map(layout).join(' ')}`,
  reduce: (op, x, axes) => `reduce ${op} ${layout(x)} over [${axes}]`,
  matmul: (a, b) => `matmul ${layout(a)} @ ${layout(b)}`,
  attention: (q, k, v) => `attention ${layout(q)} ${layout(k)} ${layout(v)}`,
};
const calls = new Map();
const families = [
  'elementwise',
  'reduce',
  'matmul',
  'attention',
  'gather',
  'scatterAdd',
  'random',
  'alloc',
  'free',
  'write',
  'read',
];
const spent = Object.fromEntries(families.map((f) => [f, 0]));
// the 'cpu' backend's own class: the WebAssembly backend, or the JS reference under NORGA_CPU_TIER=js
const proto = Object.getPrototypeOf(T.getBackend('cpu'));
for (const f of families) {
  const inner = proto[f];
  proto[f] = function timed(...args) {
    const t0 = performance.now();
    try {
      return inner.apply(this, args);
    } finally {
      const dt = performance.now() - t0;
      spent[f] += dt;
      if (byCall && signature[f]) {
        const key = signature[f](...args);
        const c = calls.get(key) ?? { n: 0, ms: 0 };
        c.n++;
        c.ms += dt;
        calls.set(key, c);
      }
    }
  };
}

const cfg = vit.VIT_CONFIGS.tiny; // W2 is the tiny preset
const model = vit.ViT.create(cfg, { seed: 0 });
const x = T.randn([64, 1, 28, 28]);
const y = T.randint(0, 10, [64]);
const step = createTrainStep(model, { lr: 1e-3, weightDecay: 0.05 });
for (let i = 0; i < 3; i++) await (await step(x, y)).loss; // warm-up: kernels compiled, pools filled
for (const f of families) spent[f] = 0;
calls.clear();
const t0 = performance.now();
for (let i = 0; i < steps; i++) await (await step(x, y)).loss;
const total = performance.now() - t0;
const inKernels = families.reduce((s, f) => s + spent[f], 0);
console.log(
  `W2 training step on ${T.cpuTier()} tier: ${(total / steps).toFixed(1)} ms/step, ${((64 * steps * 1000) / total).toFixed(0)} images/s over ${steps} steps`,
);
console.log('| family | ms/step | share |\n| --- | ---: | ---: |');
for (const f of families.filter((f) => spent[f] > 0).sort((a, b) => spent[b] - spent[a])) {
  console.log(`| ${f} | ${(spent[f] / steps).toFixed(2)} | ${((100 * spent[f]) / total).toFixed(1)}% |`);
}
console.log(
  `| outside kernels (front-end, autograd, GC) | ${((total - inKernels) / steps).toFixed(2)} | ${((100 * (total - inKernels)) / total).toFixed(1)}% |`,
);
if (byCall) {
  console.log('\n| ms/step | calls/step | call |\n| ---: | ---: | --- |');
  for (const [key, c] of [...calls].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25))
    console.log(`| ${(c.ms / steps).toFixed(2)} | ${c.n / steps} | ${key} |`);
}
step.dispose?.();
