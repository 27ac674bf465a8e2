/** ViT hyper-parameters and the presets used in this project (timm's names for the standard sizes). */
/** The shape of a ViT: every size its parameters and forward depend on. */
export interface ViTConfig {
  /** Side of the square input image, in pixels. */
  readonly imageSize: number;
  /** Side of a square patch, in pixels (divides imageSize). */
  readonly patchSize: number;
  /** Input channels C (1 for MNIST, 3 for RGB). */
  readonly inChannels: number;
  /** Model width D. */
  readonly dim: number;
  /** Number of transformer blocks. */
  readonly depth: number;
  /** Attention heads H (divides dim). */
  readonly heads: number;
  /** Hidden width of each block's MLP. */
  readonly mlpDim: number;
  /** 0 for a backbone without a classification head. */
  readonly numClasses: number;
  /** timm uses 1e-6; Hugging Face ViT checkpoints use 1e-12. */
  readonly layerNormEps: number;
}

const base = { inChannels: 3, imageSize: 224, patchSize: 16, numClasses: 1000, layerNormEps: 1e-6 } as const;

/** The presets: the project's tiny ViT for 28×28 images, and timm's ViT-Ti/S/B at 224² with 16² patches. */
export const VIT_CONFIGS = {
  /** For 28×28 single-channel images (MNIST, Fashion-MNIST): 49 patches + the class token. */
  tiny: {
    imageSize: 28,
    patchSize: 4,
    inChannels: 1,
    dim: 64,
    depth: 4,
    heads: 4,
    mlpDim: 256,
    numClasses: 10,
    layerNormEps: 1e-6,
  },
  vit_tiny_patch16_224: { ...base, dim: 192, depth: 12, heads: 3, mlpDim: 768 },
  vit_small_patch16_224: { ...base, dim: 384, depth: 12, heads: 6, mlpDim: 1536 },
  vit_base_patch16_224: { ...base, dim: 768, depth: 12, heads: 12, mlpDim: 3072 },
} as const satisfies Record<string, ViTConfig>;

/** A preset's name. */
export type ViTConfigName = keyof typeof VIT_CONFIGS;

/** A preset with `overrides` applied, validated (throws as validateConfig). */
export function vitConfig(name: ViTConfigName, overrides: Partial<ViTConfig> = {}): ViTConfig {
  const c = { ...VIT_CONFIGS[name], ...overrides };
  validateConfig(c);
  return c;
}

/** Throws one Error listing every problem of `c` (sizes that do not divide, non-positive sizes). */
export function validateConfig(c: ViTConfig): void {
  const problems: string[] = [];
  if (c.imageSize % c.patchSize !== 0)
    problems.push(`imageSize ${c.imageSize} is not a multiple of patchSize ${c.patchSize}`);
  if (c.dim % c.heads !== 0) problems.push(`dim ${c.dim} is not divisible by heads ${c.heads}`);
  for (const k of ['imageSize', 'patchSize', 'inChannels', 'dim', 'depth', 'heads', 'mlpDim'] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) problems.push(`${k} must be a positive integer, got ${c[k]}`);
  }
  if (!Number.isInteger(c.numClasses) || c.numClasses < 0)
    problems.push(`numClasses must be >= 0, got ${c.numClasses}`);
  if (problems.length > 0) throw new Error(`invalid ViT config: ${problems.join('; ')}`);
}

/** Number of patches N of an image of side `imageSize` (default: the config's): (imageSize / patchSize)². */
export function numPatches(c: ViTConfig, imageSize = c.imageSize): number {
  return (imageSize / c.patchSize) ** 2;
}

/**
 * Input normalisation of `norga-vit pretrain` (pixels scaled to [0, 1], then (x - mean) / std), per data set:
 * the usual per-channel statistics of the training images. Also written to the checkpoint's metadata.
 */
export const PRETRAIN_NORMALIZATION = {
  'fashion-mnist': { mean: 0.286, std: 0.353 },
  mnist: { mean: 0.1307, std: 0.3081 },
} as const;
