/**
 * The small set-up several norga tests share: a learner configuration for quick runs, a tiny ViT with random
 * weights (the properties tested are of the computation, not of training), a cut-down Split MNIST, and a
 * NoRGa learner holding three tasks' prefixes that differ from each other.
 */
import { assign_ } from '@norga/autograd';
import { ViT, vitConfig } from '@norga/vit';
import { BENCHMARK_SPECS, METHOD_SPECS } from '../../src/config.js';
import { type BenchmarkData, loadBenchmark } from '../../src/data.js';
import { Learner, type LearnerConfig } from '../../src/learner.js';
import { Rng } from '../../src/rng.js';
import { VitBackbone } from '../../src/vit-backbone.js';

export const TINY_LEARNER_CONFIG: LearnerConfig = {
  tasks: 5,
  epochs: 1,
  batchSize: 16,
  lr: 0.01,
  headLrScale: 0.1,
  clipGrad: 1,
  promptLength: 5,
  promptLayers: [0, 1],
  promptMomentum: 0.01,
  reg: 0.1,
  gateLearning: 'first-task',
  caEpochs: 0,
  caLr: 0.005,
  caSamplesPerClass: 8,
};

export function randomTinyBackbone(seed: number): VitBackbone {
  return new VitBackbone(ViT.create(vitConfig('tiny'), { seed }), {
    size: 28,
    channels: 1,
    mean: [0.286],
    std: [0.353],
  });
}

export function tinySplitMnist(seed: number, trainPerClass: number, testPerClass: number): BenchmarkData {
  return loadBenchmark({ spec: BENCHMARK_SPECS['split-mnist'], tasks: 5, seed, trainPerClass, testPerClass });
}

/** NoRGa-tanh with three tasks' prefixes from Rng(rngBase + t), made different (a copy of task t-1 would equal it). */
export function threePrefixNorga(backbone: VitBackbone, rngBase: number): Learner {
  const learner = new Learner(METHOD_SPECS['norga-tanh'], TINY_LEARNER_CONFIG, backbone, 10, 1);
  for (let t = 0; t < 3; t++) {
    learner.experts.addTask(new Rng(rngBase + t));
    if (t > 0) for (const [, p] of learner.experts.taskParameters(t)) assign_(p, p.mul(-0.5 * t));
  }
  return learner;
}
