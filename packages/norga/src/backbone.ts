/**
 * What the continual-learning pipeline needs from the ViT: its sizes, how images are preprocessed for it, and
 * a forward to the class-token feature (after the final norm) that takes @norga/vit's prefix contract
 * (`PrefixOptions`: prefixes by layer, the prefix score, the attention-probabilities hook). The adapter for a
 * @norga/vit ViT lives in vit-backbone.ts; tests can supply a small stand-in.
 */
import type { Tensor } from '@norga/tensor';
import type { PrefixOptions } from '@norga/vit';
import type { Preprocess } from './data.js';

/** A frozen feature extractor with prefix-ready attention. */
export interface Backbone {
  /** Feature width D (= heads × head width). */
  readonly dim: number;
  /** Number of transformer blocks (prompted layers are indices below it). */
  readonly depth: number;
  /** Attention heads per block. */
  readonly heads: number;
  /** How images become the backbone's input (size, channels, normalisation). */
  readonly preprocess: Preprocess;
  /** Images [B, C, H, W] → class-token features [B, D]. The backbone's own weights are frozen. */
  features(images: Tensor, options?: PrefixOptions): Tensor;
  /** Frees the backbone's weights. */
  dispose(): void;
}
