/**
 * The Vision Transformer: timm's architecture and parameter names, with prefix-ready attention.
 * Parameters live in a Map keyed by timm name (the state dict), so checkpoints map 1:1.
 */
import { Module, requiresGrad_ } from '@norga/autograd';
import {
  concat,
  manualSeed,
  ones,
  rand,
  randn,
  sameShape,
  type Tensor,
  tensor,
  tidy,
  untracked,
  zeros,
} from '@norga/tensor';
import { numPatches, type ViTConfig, validateConfig } from '../config.js';
import { fromHuggingFace, isHuggingFaceNaming } from '../weights/huggingface.js';
import type { NamedArray, NamedArrays } from '../weights/named.js';
import { resamplePosEmbed } from '../weights/posembed.js';
import { timmParameterShapes } from '../weights/timm.js';
import { block, linear, norm, patchEmbed, promptPrefix } from './layers.js';
import type { PrefixOptions } from './prefix.js';

/** Options of `ViT.create`. */
export interface CreateOptions {
  /** Seeds the tensor generator (`manualSeed`) before drawing the initial weights. */
  readonly seed?: number;
  /** Backend of the parameters (default: the current one). */
  readonly backend?: string;
}

/** Options of `ViT.fromNamedArrays`. */
export interface LoadOptions {
  /** Backend of the parameters (default: the current one). */
  readonly backend?: string;
  /** Skip the classification head when the file has none or another class count (it is then initialised). */
  readonly ignoreHead?: boolean;
  /** Seeds the initialisation of a skipped head. */
  readonly seed?: number;
}

/**
 * An autograd Module whose parameter tree mirrors timm's (`blocks.0.attn.qkv.weight`, ...), so stateDict,
 * loadStateDict, requiresGrad_ (freezing) and optimisers work as for any module. The forward itself is written
 * as functions over the parameters (layers.ts), looked up by name.
 */
export class ViT extends Module {
  readonly config: ViTConfig;
  /** Parameters by timm name (the same tensors the module tree holds). */
  readonly params: Map<string, Tensor>;

  constructor(config: ViTConfig, params: Map<string, Tensor>) {
    super();
    validateConfig(config);
    const expected = timmParameterShapes(config);
    const missing = [...expected.keys()].filter((k) => !params.has(k));
    const unexpected = [...params.keys()].filter((k) => !expected.has(k));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new Error(
        `ViT parameters: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
      );
    }
    for (const [name, shape] of expected) {
      const t = params.get(name)!;
      if (!sameShape(t.shape, shape)) {
        throw new Error(
          `ViT parameter '${name}' has shape [${t.shape.join(', ')}], config needs [${shape.join(', ')}]`,
        );
      }
    }
    this.config = config;
    this.params = new Map();
    const containers = new Map<string, Module>([['', this]]);
    for (const [name] of expected) {
      const parts = name.split('.');
      let path = '';
      let owner: Module = this;
      for (const part of parts.slice(0, -1)) {
        const next = path === '' ? part : `${path}.${part}`;
        let child = containers.get(next);
        if (child === undefined) {
          child = owner.registerModule(part, new Module());
          containers.set(next, child);
        }
        owner = child;
        path = next;
      }
      this.params.set(name, owner.registerParameter(parts[parts.length - 1]!, params.get(name)!));
    }
  }

  /** timm's initialisation: Linear weights N(0, 0.02), zero biases, LayerNorm (1, 0), pos_embed N(0, 0.02). */
  static create(config: ViTConfig, options: CreateOptions = {}): ViT {
    validateConfig(config);
    if (options.seed !== undefined) manualSeed(options.seed);
    const opts = options.backend === undefined ? {} : { backend: options.backend };
    const params = new Map<string, Tensor>();
    for (const [name, shape] of timmParameterShapes(config)) {
      params.set(
        name,
        untracked(() => tidy(() => initParam(name, shape, opts))),
      );
    }
    return new ViT(config, params);
  }

  /**
   * Builds a model from named arrays in timm or Hugging Face naming. The position embedding is resampled
   * (bicubic, as timm) when the checkpoint's grid differs from the config's image size.
   */
  static fromNamedArrays(
    config: ViTConfig,
    arrays: ReadonlyMap<string, NamedArray>,
    options: LoadOptions = {},
  ): ViT {
    validateConfig(config);
    const named = isHuggingFaceNaming(arrays.keys()) ? fromHuggingFace(arrays).tensors : new Map(arrays);
    const pe = named.get('pos_embed');
    const grid = config.imageSize / config.patchSize;
    if (pe !== undefined && pe.shape.length === 3 && pe.shape[1] !== numPatches(config) + 1) {
      named.set('pos_embed', resamplePosEmbed(pe, [grid, grid]));
    }
    const opts = options.backend === undefined ? {} : { backend: options.backend };
    if (options.seed !== undefined) manualSeed(options.seed);
    const params = new Map<string, Tensor>();
    for (const [name, shape] of timmParameterShapes(config)) {
      const a = named.get(name);
      if (name.startsWith('head.') && options.ignoreHead === true) {
        params.set(
          name,
          untracked(() => tidy(() => initParam(name, shape, opts))),
        );
        continue;
      }
      if (a === undefined) {
        for (const t of params.values()) t.dispose();
        throw new Error(`checkpoint has no '${name}' (shape [${shape.join(', ')}])`);
      }
      if (!sameShape(a.shape, shape)) {
        for (const t of params.values()) t.dispose();
        throw new Error(
          `checkpoint '${name}' has shape [${a.shape.join(', ')}], config needs [${shape.join(', ')}]`,
        );
      }
      params.set(name, tensor(a.data, { ...opts, shape }));
    }
    const known = timmParameterShapes(config);
    const extra = [...named.keys()].filter(
      (k) => !known.has(k) && !(options.ignoreHead && k.startsWith('head.')),
    );
    if (extra.length > 0) {
      for (const t of params.values()) t.dispose();
      throw new Error(`checkpoint has parameters this config does not: ${extra.join(', ')}`);
    }
    return new ViT(config, params);
  }

  /** The state dict as host arrays (timm names), e.g. for `serializeSafetensors`. */
  async toNamedArrays(): Promise<NamedArrays> {
    const out: NamedArrays = new Map();
    for (const [name, t] of this.params)
      out.set(name, { shape: [...t.shape], data: (await t.data()) as Float32Array });
    return out;
  }

  /** A parameter by timm name (throws with the name when absent). */
  param(name: string): Tensor {
    const t = this.params.get(name);
    if (t === undefined) throw new Error(`ViT has no parameter '${name}'`);
    return t;
  }

  /** Patch tokens with the class token prepended and the position embedding added: [B, 1 + N, D]. */
  embed(x: Tensor): Tensor {
    const c = this.config;
    if (
      x.rank !== 4 ||
      x.shape[1] !== c.inChannels ||
      x.shape[2] !== c.imageSize ||
      x.shape[3] !== c.imageSize
    ) {
      throw new Error(
        `ViT input must be [B, ${c.inChannels}, ${c.imageSize}, ${c.imageSize}], got [${x.shape.join(', ')}] ` +
          '(load the checkpoint with another imageSize to resample the position embedding)',
      );
    }
    return tidy(() => {
      const p = (n: string) => this.param(n);
      const tokens = patchEmbed(x, p('patch_embed.proj.weight'), p('patch_embed.proj.bias'), c.patchSize);
      const b = x.shape[0]!;
      const cls = p('cls_token').expand([b, 1, c.dim]);
      return concat([cls, tokens], 1).add(p('pos_embed'));
    });
  }

  /** All tokens after the final norm: [B, 1 + N, D], or [B, 1 + Lp + N, D] with a shallow prompt of length Lp. */
  tokens(x: Tensor, options: PrefixOptions = {}): Tensor {
    const c = this.config;
    const p = (n: string) => this.param(n);
    const { prefixes, score, onAttentionProbs, prompt, deepPrompts, onPromptQueries } = options;
    let h = this.embed(x);
    if (prompt !== undefined) {
      const embedded = h;
      h = tidy(() => insertPrompt(embedded, prompt));
      embedded.dispose();
    }
    for (let i = 0; i < c.depth; i++) {
      const prev = h;
      const deep = deepPrompts?.get(i);
      if (deep !== undefined && prefixes?.has(i)) {
        throw new Error(`ViT forward: layer ${i} has both a prefix and a deep prompt; give one of them`);
      }
      if (deep !== undefined && !fitsPrompt(deep, h.shape[0]!, c.dim)) {
        throw new Error(
          `ViT forward: deep prompt of layer ${i} must be [${h.shape[0]} or 1, Lp, ${c.dim}], got [${deep.shape.join(', ')}] ${deep.dtype}`,
        );
      }
      h = tidy(() => {
        const prefix = deep === undefined ? prefixes?.get(i) : promptPrefix(deep, p, i, c.layerNormEps);
        return block(prev, p, i, c.layerNormEps, {
          heads: c.heads,
          ...(score === undefined ? {} : { score }),
          ...(prefix === undefined ? {} : { prefix }),
          ...(onAttentionProbs === undefined ? {} : { onAttentionProbs }),
          ...(deep === undefined || onPromptQueries === undefined ? {} : { onPromptQueries }),
        });
      });
      prev.dispose();
    }
    const out = norm(h, p, 'norm', c.layerNormEps);
    h.dispose();
    return out;
  }

  /**
   * The feature after the final norm, [B, D]: the class token's (timm's pre-logits), or with
   * `readout: 'prompt-mean'` the mean of the shallow prompt tokens' outputs (L2P's classifier input).
   */
  features(x: Tensor, options: PrefixOptions = {}): Tensor {
    if (options.readout === 'prompt-mean' && options.prompt === undefined) {
      throw new Error("ViT features: readout 'prompt-mean' needs a shallow prompt (options.prompt)");
    }
    return tidy(() => {
      const all = this.tokens(x, options);
      if (options.readout !== 'prompt-mean') return all.slice(1, 0, 1).squeeze(1);
      return all.slice(1, 1, 1 + options.prompt!.shape[1]!).mean(1);
    });
  }

  /** Class scores from features: [B, numClasses]. */
  head(features: Tensor): Tensor {
    if (this.config.numClasses === 0) throw new Error('this ViT has no classification head (numClasses = 0)');
    return linear(features, this.param('head.weight'), this.param('head.bias'));
  }

  /** Logits: [B, numClasses]. */
  forward(x: Tensor, options: PrefixOptions = {}): Tensor {
    return tidy(() => this.head(this.features(x, options)));
  }

  /**
   * Freezes the backbone: only parameters whose names pass `trainable` keep requiring gradients (by default
   * the head), so prefixes and the head train while the backbone stays as loaded. Returns this.
   */
  freezeBackbone(trainable: (name: string) => boolean = (n) => n.startsWith('head.')): this {
    for (const [name, t] of this.params) requiresGrad_(t, trainable(name));
    return this;
  }
}

/** [cls, prompt, patches]: the prompt `[B or 1, Lp, D]` inserted behind the class token of `h` `[B, 1 + N, D]`. */
function insertPrompt(h: Tensor, prompt: Tensor): Tensor {
  const [b, , d] = h.shape as [number, number, number];
  if (!fitsPrompt(prompt, b, d)) {
    throw new Error(
      `ViT forward: prompt must be [${b} or 1, Lp, ${d}], got [${prompt.shape.join(', ')}] ${prompt.dtype}`,
    );
  }
  const tokens = h.shape[1]!;
  return concat([h.slice(1, 0, 1), prompt.expand([b, prompt.shape[1]!, d]), h.slice(1, 1, tokens)], 1);
}

/** Whether `prompt` is `[b or 1, Lp, d]` float32 with Lp ≥ 1. */
function fitsPrompt(prompt: Tensor, b: number, d: number): boolean {
  const [pb, lp, pd] = prompt.shape;
  return prompt.rank === 3 && pd === d && (pb === 1 || pb === b) && lp! >= 1 && prompt.dtype === 'float32';
}

function initParam(name: string, shape: readonly number[], opts: { backend?: string }): Tensor {
  if (/norm\d?\.weight$/.test(name) || name === 'norm.weight') return ones(shape, opts);
  if (name === 'cls_token') return randn(shape, opts).mul(1e-6);
  if (name === 'patch_embed.proj.weight') {
    // PyTorch's Conv2d default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    const bound = 1 / Math.sqrt(shape.slice(1).reduce((a, b) => a * b, 1));
    return rand(shape, opts)
      .mul(2 * bound)
      .sub(bound);
  }
  if (name === 'patch_embed.proj.bias') return zeros(shape, opts);
  if (name.endsWith('.bias')) return zeros(shape, opts);
  return randn(shape, opts).mul(0.02);
}
