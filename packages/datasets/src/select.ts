import { DatasetError } from './errors.js';
import { createRng, shuffleInPlace } from './rng.js';
import type { ImageSet } from './types.js';
import { sampleSize } from './types.js';

/**
 * A new ImageSet holding only the given samples, in that order. This copies pixels, so it is meant for
 * one-time splitting at load time (e.g. MNIST's single pool into train and test), never per task.
 */
export function selectSamples(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = sampleSize(set);
  const images = new Uint8Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  const coarse = set.coarseLabels ? new Int32Array(indices.length) : undefined;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!(i >= 0 && i < set.count))
      throw new DatasetError(`selectSamples: index ${i} out of range [0, ${set.count})`);
    images.set(set.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = set.labels[i]!;
    if (coarse) coarse[k] = set.coarseLabels![i]!;
  }
  return { ...set, images, labels, count: indices.length, ...(coarse ? { coarseLabels: coarse } : {}) };
}

/**
 * Stratified split of sample indices: within each class, a seeded shuffle, then the first
 * round(n * fraction) go to `held` and the rest to `kept`. Both lists come back sorted ascending, so the
 * result depends only on (labels, fraction, seed).
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  indices: ArrayLike<number>,
  fraction: number,
  seed: number,
): { kept: Int32Array; held: Int32Array } {
  if (!(fraction >= 0 && fraction < 1))
    throw new DatasetError(`split fraction must be in [0, 1), got ${fraction}`);
  const byClass = new Map<number, number[]>();
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    const l = labels[i]!;
    let list = byClass.get(l);
    if (!list) byClass.set(l, (list = []));
    list.push(i);
  }
  const kept: number[] = [];
  const held: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    // One generator per class, so adding a class elsewhere never changes this class's split.
    const list = shuffleInPlace(byClass.get(c)!, createRng(seed * 1_000_003 + c));
    const nHeld = Math.round(list.length * fraction);
    held.push(...list.slice(0, nHeld));
    kept.push(...list.slice(nHeld));
  }
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { kept: sorted(kept), held: sorted(held) };
}
