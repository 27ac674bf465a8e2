import { ViT, vitConfig } from '@norga/vit';
import { Learner, VitBackbone, METHOD_SPECS, loadBenchmark, BENCHMARK_SPECS, extractFeatures } from './dist/index.js';
const model = ViT.create(vitConfig('tiny'), { seed: 1 });
const backbone = new VitBackbone(model, { size: 28, channels: 1, mean: [0.2860], std: [0.3530] });
const cfg = { epochs: 1, batchSize: 32, lr: 0.01, headLrScale: 0.1, clipGrad: 1, promptLength: 5, promptLayers: [0, 1], promptMomentum: 0.01, reg: 0.1, gateLearning: 'first-task', caEpochs: 0, caLr: 0.005, caSamplesPerClass: 64 };
const data = loadBenchmark({ spec: BENCHMARK_SPECS['split-mnist'], tasks: 5, seed: 1, trainPerClass: 64, testPerClass: 64 });
const task = data.tasks[0];
let t0 = performance.now();
await extractFeatures(backbone, data.train, task.train, 64);
let dt = performance.now() - t0;
console.log(`forward no prefix: ${(task.train.length / dt * 1000).toFixed(0)} img/s`);
const learner = new Learner(METHOD_SPECS['norga-tanh'], cfg, backbone, 10, 1);
learner.experts.addTask(new (await import('./dist/index.js')).Rng(1));
t0 = performance.now();
await learner.predict(data.train, task.train, new Int32Array(task.train.length), task.classes);
dt = performance.now() - t0;
console.log(`forward with prefix: ${(task.train.length / dt * 1000).toFixed(0)} img/s`);
for (const bs of [32, 64]) {
  cfg.batchSize = bs;
  t0 = performance.now();
  await learner.trainTask(0, data.train, task.train, task.classes, task.classes);
  dt = performance.now() - t0;
  console.log(`train (incl. stats pass) bs ${bs}: ${(task.train.length / dt * 1000).toFixed(0)} img/s`);
}
