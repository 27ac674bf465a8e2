/**
 * How much attention the prompt columns draw: the diagnostic behind plots/prefix-attention-mass.svg, the same for
 * every prompt method (a task's prefix under HiDe, G- and E-prefixes under DualPrompt, CODA-Prompt's assembled one).
 */
import { noGrad } from '@norga/autograd';
import type { ImageSet } from '@norga/datasets';
import { keep, type Tensor, tidy } from '@norga/tensor';
import type { PrefixOptions } from '@norga/vit';
import type { Backbone } from './backbone.js';
import { imagesTensor } from './features.js';

/** Forward-only batch size of the mass (as learner.ts's EVAL_BATCH; a diagnostic, changes no result). */
const MASS_BATCH = 64;

/**
 * Attention mass on the prompt columns per layer of `layers`: the mean over heads, queries and the samples
 * `indices` of the softmax weight that the prefix columns receive together (`prefixLength(layer)` of them, the
 * first columns), with the forward options `options(batch)` gives for each batch of sample indices.
 */
export async function promptAttentionMass(
  backbone: Backbone,
  set: ImageSet,
  indices: ArrayLike<number>,
  layers: readonly number[],
  prefixLength: (layer: number) => number,
  options: (batch: number[]) => PrefixOptions,
): Promise<number[]> {
  const sums = new Map<number, number>();
  let count = 0;
  for (let start = 0; start < indices.length; start += MASS_BATCH) {
    const batch = Array.prototype.slice.call(indices, start, start + MASS_BATCH) as number[];
    const found: [number, Tensor][] = [];
    const f = tidy(() =>
      noGrad(() =>
        backbone.features(imagesTensor(backbone, set, batch), {
          ...options(batch),
          onAttentionProbs: (probs, layer) => {
            if (!layers.includes(layer)) return;
            // [B, H, N, L + N] → the prefix block summed over its L columns, averaged over B, H, N.
            found.push([layer, keep(probs.slice(-1, 0, prefixLength(layer)).sum(-1).mean())]);
          },
        }),
      ),
    );
    f.dispose();
    for (const [layer, m] of found) {
      sums.set(layer, (sums.get(layer) ?? 0) + (await m.item()) * batch.length);
      m.dispose();
    }
    count += batch.length;
  }
  return layers.map((l) => (sums.get(l) ?? Number.NaN) / count);
}
