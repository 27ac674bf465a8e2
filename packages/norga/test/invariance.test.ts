/**
 * Predictions must not depend on the batch: the official code's reshape-instead-of-permute mixed prefix keys
 * and values across the batch (its issue #1). Here every sample gets its own task's prefix gathered per sample;
 * a sample's features and prediction are the same at batch size 1 and 128, and whatever else shares its batch.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.js';
import { randomTinyBackbone, threePrefixNorga, tinySplitMnist } from './helpers/tiny.js';

describe('batch-size and batch-composition invariance', () => {
  // A tiny ViT with random weights: invariance is a property of the computation, not of training.
  const backbone = randomTinyBackbone(3);
  const data = tinySplitMnist(1, 10, 13);
  const learner = threePrefixNorga(backbone, 100);
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
