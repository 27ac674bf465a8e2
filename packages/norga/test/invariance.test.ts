/**
 * Predictions must not depend on the batch: the official code's reshape-instead-of-permute mixed prefix keys
 * and values across the batch (its issue #1). Here every sample gets its own task's prefix gathered per sample;
 * a sample's features and prediction are the same at batch size 1 and 128, and whatever else shares its batch.
 */
import { assign_ } from '@norga/autograd';
import { ViT, vitConfig } from '@norga/vit';
import { describe, expect, it } from 'vitest';
import { BENCHMARK_SPECS, METHOD_SPECS } from '../src/config.js';
import { loadBenchmark } from '../src/data.js';
import { Learner } from '../src/learner.js';
import { Rng } from '../src/rng.js';
import { VitBackbone } from '../src/vit-backbone.js';

const cfg = {
  epochs: 1,
  batchSize: 16,
  lr: 0.01,
  headLrScale: 0.1,
  clipGrad: 1,
  promptLength: 5,
  promptLayers: [0, 1],
  promptMomentum: 0.01,
  reg: 0.1,
  gateLearning: 'first-task' as const,
  caEpochs: 0,
  caLr: 0.005,
  caSamplesPerClass: 8,
};

describe('batch-size and batch-composition invariance', () => {
  // A tiny ViT with random weights: invariance is a property of the computation, not of training.
  const backbone = new VitBackbone(ViT.create(vitConfig('tiny'), { seed: 3 }), {
    size: 28,
    channels: 1,
    mean: [0.286],
    std: [0.353],
  });
  const data = loadBenchmark({
    spec: BENCHMARK_SPECS['split-mnist'],
    tasks: 5,
    seed: 1,
    trainPerClass: 10,
    testPerClass: 13,
  });
  const learner = new Learner(METHOD_SPECS['norga-tanh'], cfg, backbone, 10, 1);
  // Three tasks' prefixes, made different from each other (the copy of task t-1 would make them equal).
  for (let t = 0; t < 3; t++) {
    learner.experts.addTask(new Rng(100 + t));
    if (t > 0) {
      for (const [, p] of learner.experts.taskParameters(t)) assign_(p, p.mul(-0.5 * t));
    }
  }
  const indices = Int32Array.from([...data.tasks.flatMap((t) => Array.from(t.test))].slice(0, 128));
  // Each sample routed to one of the three prefixes (as the task-identity stage would).
  const taskIds = Int32Array.from(indices, (_, k) => (k * 7) % 3);
  const seen = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

  it('batch 128 equals batch 1, sample by sample', async () => {
    expect(indices.length).toBe(128);
    const big = await learner.features(data.test, indices, taskIds, 128);
    const D = backbone.dim;
    let maxDiff = 0;
    for (let k = 0; k < 128; k += 9) {
      const one = await learner.features(
        data.test,
        indices.subarray(k, k + 1),
        taskIds.subarray(k, k + 1),
        1,
      );
      for (let c = 0; c < D; c++)
        maxDiff = Math.max(maxDiff, Math.abs((one[c] as number) - (big[k * D + c] as number)));
    }
    // float32 features of magnitude ~1: identical up to summation order at most
    expect(maxDiff).toBeLessThan(1e-5);
    const predBig = await learner.predict(data.test, indices, taskIds, seen, 128);
    const predOne = new Int32Array(128);
    for (let k = 0; k < 128; k++) {
      predOne.set(
        await learner.predict(data.test, indices.subarray(k, k + 1), taskIds.subarray(k, k + 1), seen, 1),
        k,
      );
    }
    expect(Array.from(predOne)).toEqual(Array.from(predBig));
  });

  it('a sample does not depend on the others in its batch (reversed and reshuffled batches)', async () => {
    const n = 32;
    const idx = indices.subarray(0, n);
    const ids = taskIds.subarray(0, n);
    const base = await learner.features(data.test, idx, ids, n);
    const perm = new Rng(9).permutation(n);
    const shuffled = await learner.features(
      data.test,
      Int32Array.from(perm, (p) => idx[p] as number),
      Int32Array.from(perm, (p) => ids[p] as number),
      n,
    );
    const D = backbone.dim;
    let maxDiff = 0;
    perm.forEach((p, k) => {
      for (let c = 0; c < D; c++)
        maxDiff = Math.max(maxDiff, Math.abs((shuffled[k * D + c] as number) - (base[p * D + c] as number)));
    });
    expect(maxDiff).toBeLessThan(1e-5);
    // The routing matters: the same sample with another task's prefix gives another feature.
    const other = await learner.features(
      data.test,
      idx.subarray(0, 1),
      Int32Array.from([((ids[0] as number) + 1) % 3]),
      1,
    );
    let change = 0;
    for (let c = 0; c < D; c++)
      change = Math.max(change, Math.abs((other[c] as number) - (base[c] as number)));
    expect(change).toBeGreaterThan(1e-3);
  });
});
