/** The Backbone the pipeline needs, over a @norga/vit ViT whose own weights stay frozen. */

import type { Tensor } from '@norga/tensor';
import type { ViT } from '@norga/vit';
import type { Backbone, FeatureOptions } from './backbone.js';
import type { Preprocess } from './data.js';

export class VitBackbone implements Backbone {
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;

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

  dispose(): void {
    this.model.dispose();
  }

  features(images: Tensor, o: FeatureOptions = {}): Tensor {
    const { prefixes, scoreFor, onProbs } = o;
    return this.model.features(images, {
      ...(prefixes ? { prefixes } : {}),
      ...(scoreFor ? { score: (s: Tensor, layer: number) => scoreFor(layer)(s) } : {}),
      ...(onProbs
        ? {
            onAttentionProbs: (p: Tensor, layer: number) => {
              // The ViT hands over every layer's probabilities (kept); report the prompted ones, free all.
              try {
                if (prefixes?.has(layer)) onProbs(layer, p);
              } finally {
                p.dispose();
              }
            },
          }
        : {}),
    });
  }
}
