#!/usr/bin/env node
/**
 * The library without the CLI: two tasks of Split MNIST with NoRGa (tanh), step by step — task-identity
 * inference, within-task training of a task's prefix experts, Gaussian realignment, evaluation.
 *
 *   node examples/continual-api.mjs [path/to/backbone.safetensors]
 *
 * The backbone defaults to the one `norga run` uses: the tiny ViT shipped in packages/norga/backbones/.
 */
import {
  accuracy,
  BENCHMARK_SPECS,
  extractFeatures,
  Learner,
  loadBackbone,
  loadBenchmark,
  METHOD_SPECS,
  Rng,
  shippedBackbone,
  TaskIdentity,
} from '@norga/norga';

const path = process.argv[2] ?? shippedBackbone('fashion-mnist').path;
const { backbone } = await loadBackbone(path, 'tiny');
const data = loadBenchmark({
  spec: BENCHMARK_SPECS['split-mnist'],
  tasks: 5,
  seed: 1,
  trainPerClass: 50,
  testPerClass: 50,
});
const cfg = {
  tasks: 5,
  epochs: 2,
  batchSize: 16,
  lr: 0.01,
  headLrScale: 0.1,
  clipGrad: 1,
  promptLength: 5,
  promptLayers: [0, 1],
  promptMomentum: 0.01,
  reg: 0.1,
  gateLearning: 'first-task',
  caEpochs: 3,
  caLr: 0.005,
  caSamplesPerClass: 64,
};
const learner = new Learner(METHOD_SPECS['norga-tanh'], cfg, backbone, data.numClasses, 1);
const tii = new TaskIdentity(backbone.dim, data.numClasses, 1);
const tiiOptions = {
  epochs: 5,
  lr: 1e-3,
  batchSize: 32,
  clipGrad: 1,
  caEpochs: 3,
  caLr: 0.01,
  caSamplesPerClass: 64,
};
const seen = [];
for (const task of data.tasks.slice(0, 2)) {
  seen.push(...task.classes);
  console.log(
    `task ${task.index + 1}: digits ${task.classes.join(', ')}, ${task.train.length} training images`,
  );
  // Task identity from the prefix-free ("uninstructed") feature.
  const feats = await extractFeatures(backbone, data.train, task.train, 64);
  const labels = Int32Array.from(task.train, (i) => data.train.labels[i]);
  await tii.learnTask(task.index, feats, labels, task.classes, seen, tiiOptions, new Rng(task.index));
  // The task's prefix experts and the head, then the head's realignment on Gaussian samples of all seen classes.
  await learner.trainTask(
    task.index,
    data.train,
    task.train,
    task.classes,
    seen,
    (phase, loss, step, steps) => {
      if (step === steps) console.log(`  ${phase}: loss ${loss.toFixed(3)}`);
    },
  );
  // Evaluate every seen task: infer each test image's task, then classify with that task's prefix.
  for (const seenTask of data.tasks.slice(0, task.index + 1)) {
    const testFeats = await extractFeatures(backbone, data.test, seenTask.test, 64);
    const predictedClass = await tii.predictClasses(testFeats, seen);
    const taskIds = Int32Array.from(predictedClass, (c) => data.taskOfClass[c]);
    const pred = await learner.predict(data.test, seenTask.test, taskIds, seen);
    const truth = Int32Array.from(seenTask.test, (i) => data.test.labels[i]);
    console.log(`  accuracy on task ${seenTask.index + 1}: ${(100 * accuracy(pred, truth)).toFixed(1)}%`);
  }
}
const alpha = await learner.gate.alpha.get(0).item();
const tau = await learner.gate.tau.get(0).item();
console.log(
  `NoRGa gate of block 0 after task 1 (then frozen): alpha ${alpha.toFixed(3)}, tau ${tau.toFixed(3)}`,
);
