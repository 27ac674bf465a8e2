/**
 * What the continual-learning pipeline needs from the ViT: its sizes, how images are preprocessed for it, and
 * a forward to the class-token feature (after the final norm) that takes prefixes per layer and a score
 * function per layer for the prefix columns. The adapter for @norga/vit lives in vit-backbone.ts; tests can
 * supply a small stand-in.
 */
import type { Tensor } from '@norga/tensor';
import type { Preprocess } from './data.js';
import type { Prefixes } from './experts.js';
import type { ScoreFunction } from './gates.js';

export interface FeatureOptions {
  prefixes?: Prefixes;
  /** The score function of each prompted layer (identity when absent). */
  scoreFor?: (layer: number) => ScoreFunction;
  /**
   * Called with each prompted layer's attention probabilities [B, H, N, L + N] (prefix columns first), for the
   * prefix attention-mass plot. The tensor belongs to the forward: read it, do not keep it.
   */
  onProbs?: (layer: number, probs: Tensor) => void;
}

export interface Backbone {
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly preprocess: Preprocess;
  /** Images [B, C, H, W] → class-token features [B, D]. The backbone's own weights are frozen. */
  features(images: Tensor, options?: FeatureOptions): Tensor;
  /** Frees the backbone's weights. */
  dispose(): void;
}
