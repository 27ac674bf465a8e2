/** The Backbone the pipeline needs, over a @norga/vit ViT whose own weights stay frozen. */

import type { Tensor } from '@norga/tensor';
import type { PrefixOptions, ViT } from '@norga/vit';
import type { Backbone } from './backbone.js';
import type { Preprocess } from './data.js';

/** A @norga/vit ViT as the pipeline's Backbone: frozen, in eval mode, its input checked against `preprocess`. */
export class VitBackbone implements Backbone {
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;

  /** Freezes `model` (no parameter requires gradients) and checks that `preprocess` makes its input; throws otherwise. */
  constructor(
    readonly model: ViT,
    readonly preprocess: Preprocess,
  ) {
    // Frozen: only prefixes, gates and heads learn. The backbone's gradients are never needed.
    model.requiresGrad_(false);
    model.eval();
    this.dim = model.config.dim;
    this.depth = model.config.depth;
    this.heads = model.config.heads;
    const bad = model.config.imageSize !== preprocess.size || model.config.inChannels !== preprocess.channels;
    if (bad) {
      throw new Error(
        `backbone expects ${model.config.inChannels}×${model.config.imageSize}² images, preprocessing makes ${preprocess.channels}×${preprocess.size}²`,
      );
    }
  }

  /** Frees the ViT's weights. */
  dispose(): void {
    this.model.dispose();
  }

  /** Class-token features [B, D] of images [B, C, H, W], with the prefix options passed to the ViT as they are. */
  features(images: Tensor, options: PrefixOptions = {}): Tensor {
    return this.model.features(images, options);
  }
}
