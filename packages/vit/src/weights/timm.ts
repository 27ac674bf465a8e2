/**
 * timm's parameter names and shapes for a ViT (`timm.models.vision_transformer.VisionTransformer` with a class
 * token, learned position embedding, qkv bias, pre-norm blocks). These are the canonical names of this package:
 * the model's state dict uses them, so a timm checkpoint loads 1:1.
 */
import { numPatches, type ViTConfig } from '../config.js';

/** Every parameter of a ViT with config `c`, by timm name, with its shape, in timm's state-dict order. */
export function timmParameterShapes(c: ViTConfig): Map<string, number[]> {
  const d = c.dim;
  const m = new Map<string, number[]>();
  m.set('cls_token', [1, 1, d]);
  m.set('pos_embed', [1, numPatches(c) + 1, d]);
  m.set('patch_embed.proj.weight', [d, c.inChannels, c.patchSize, c.patchSize]);
  m.set('patch_embed.proj.bias', [d]);
  for (let i = 0; i < c.depth; i++) {
    const b = `blocks.${i}`;
    m.set(`${b}.norm1.weight`, [d]);
    m.set(`${b}.norm1.bias`, [d]);
    m.set(`${b}.attn.qkv.weight`, [3 * d, d]);
    m.set(`${b}.attn.qkv.bias`, [3 * d]);
    m.set(`${b}.attn.proj.weight`, [d, d]);
    m.set(`${b}.attn.proj.bias`, [d]);
    m.set(`${b}.norm2.weight`, [d]);
    m.set(`${b}.norm2.bias`, [d]);
    m.set(`${b}.mlp.fc1.weight`, [c.mlpDim, d]);
    m.set(`${b}.mlp.fc1.bias`, [c.mlpDim]);
    m.set(`${b}.mlp.fc2.weight`, [d, c.mlpDim]);
    m.set(`${b}.mlp.fc2.bias`, [d]);
  }
  m.set('norm.weight', [d]);
  m.set('norm.bias', [d]);
  if (c.numClasses > 0) {
    m.set('head.weight', [c.numClasses, d]);
    m.set('head.bias', [c.numClasses]);
  }
  return m;
}
