// CPU backend (pure-JS tier and WebAssembly tier) vs TensorFlow.js (cpu and wasm backends), same process:
//   matmul n×n @ n×n for n in 128..1024 (GFLOP/s), and a fused elementwise chain (elements/s).
// Run: pnpm --filter @norga/tensor bench   (or node bench/cpu.mjs after a build)
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as T from '../dist/index.js';
import { timeIt, writeResults } from './common.mjs';

const require = createRequire(import.meta.url);
setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);

const sizes = (process.env.BENCH_SIZES ?? '128,256,512,1024').split(',').map(Number);
const rows = [];

async function ours(label) {
  for (const n of sizes) {
    const a = T.rand([n, n]);
    const b = T.rand([n, n]);
    const s = await timeIt(() => T.matmul(a, b).dispose(), n >= 1024 ? 4000 : 1500, 2);
    rows.push({
      impl: label,
      op: `matmul ${n}²`,
      value: ((2 * n ** 3) / s / 1e9).toFixed(2),
      unit: 'GFLOP/s',
    });
    a.dispose();
    b.dispose();
  }
  // gelu-like chain on 1M elements: x * sigmoid(1.702 x) + 0.5 x², as one fused kernel.
  const { expr: E } = T;
  const x = T.randn([1 << 20]);
  const i = E.input(0);
  const chain = E.bin(
    'add',
    E.bin(
      'mul',
      i,
      E.un(
        'reciprocal',
        E.bin(
          'add',
          E.constant(1, 'float32'),
          E.un('exp', E.un('neg', E.bin('mul', i, E.constant(1.702, 'float32')))),
        ),
      ),
    ),
    E.bin('mul', E.constant(0.5, 'float32'), E.bin('mul', i, i)),
  );
  const s = await timeIt(() => T.fused(chain, [x]).dispose());
  rows.push({
    impl: label,
    op: 'fused chain 1M',
    value: ((1 << 20) / s / 1e6).toFixed(1),
    unit: 'M elements/s',
  });
  const s2 = await timeIt(() => T.tidy(() => x.mul(x.mul(1.702).sigmoid()).add(x.mul(x).mul(0.5))));
  rows.push({
    impl: label,
    op: 'unfused chain 1M',
    value: ((1 << 20) / s2 / 1e6).toFixed(1),
    unit: 'M elements/s',
  });
  x.dispose();
}

async function tfjs(backend) {
  await tf.setBackend(backend);
  await tf.ready();
  for (const n of sizes) {
    const a = tf.randomUniform([n, n]);
    const b = tf.randomUniform([n, n]);
    const s = await timeIt(
      async () => {
        const c = tf.matMul(a, b);
        await c.data();
        c.dispose();
      },
      n >= 1024 ? 4000 : 1500,
      2,
    );
    rows.push({
      impl: `tfjs-${backend}`,
      op: `matmul ${n}²`,
      value: ((2 * n ** 3) / s / 1e9).toFixed(2),
      unit: 'GFLOP/s',
    });
    a.dispose();
    b.dispose();
  }
  const x = tf.randomNormal([1 << 20]);
  const s = await timeIt(async () => {
    const y = tf.tidy(() => tf.add(tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))), tf.mul(tf.square(x), 0.5)));
    await y.data();
    y.dispose();
  });
  rows.push({
    impl: `tfjs-${backend}`,
    op: 'unfused chain 1M',
    value: ((1 << 20) / s / 1e6).toFixed(1),
    unit: 'M elements/s',
  });
  x.dispose();
}

T.setCpuTier('js');
await ours('norga js tier');
T.setCpuTier('wasm');
await ours('norga wasm tier');
await tfjs('cpu');
await tfjs('wasm');
writeResults(
  'cpu',
  `CPU backend vs TensorFlow.js (norga wasm tier: ${process.env.NORGA_THREADS ?? 'default'} threads; tfjs: 1 thread)`,
  ['impl', 'op', 'value', 'unit'],
  rows,
);
