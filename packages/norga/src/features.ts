/**
 * Batched feature extraction without gradients: the prefix-free feature (task-identity inference and its class
 * statistics) and the prefixed feature of each sample's own or inferred task (task-adaptive prediction).
 * Results are plain Float32Arrays [n, D]: small, and they outlive any tensor scope.
 */
import { noGrad } from '@norga/autograd';
import type { ImageSet } from '@norga/datasets';
import { type Tensor, tensor, tidy } from '@norga/tensor';
import type { PrefixOptions } from '@norga/vit';
import type { Backbone } from './backbone.js';
import { imageBatch } from './benchmark-data.js';
import { letSignalsIn } from './signals.js';

/** The samples `indices` of `set`, preprocessed for the backbone, as a float32 [B, C, H, W] tensor. */
export function imagesTensor(backbone: Backbone, set: ImageSet, indices: ArrayLike<number>): Tensor {
  const p = backbone.preprocess;
  return tensor(imageBatch(set, indices, p), {
    shape: [indices.length, p.channels, p.size, p.size],
    dtype: 'float32',
  });
}

/**
 * Features of the samples `indices` of `set`, `batchSize` at a time. `options(start, end)` gives the forward
 * options (prefixes, score functions) for samples start..end-1 of the list; absent means prefix-free.
 */
export async function extractFeatures(
  backbone: Backbone,
  set: ImageSet,
  indices: ArrayLike<number>,
  batchSize: number,
  options?: (start: number, end: number) => PrefixOptions,
  onBatch?: (done: number) => void,
): Promise<Float32Array> {
  const D = backbone.dim;
  const out = new Float32Array(indices.length * D);
  for (let start = 0; start < indices.length; start += batchSize) {
    const end = Math.min(indices.length, start + batchSize);
    const batch = Array.prototype.slice.call(indices, start, end) as number[];
    const f = tidy(() =>
      noGrad(() => backbone.features(imagesTensor(backbone, set, batch), options?.(start, end))),
    );
    out.set((await f.data()) as Float32Array, start * D);
    f.dispose();
    onBatch?.(end);
    await letSignalsIn();
  }
  return out;
}
