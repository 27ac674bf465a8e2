/** The ViT's building blocks as functions of tensors (parameters are looked up by timm name). */
import {
  concat,
  gelu,
  layerNorm,
  matmul,
  attention as sdpa,
  softmax,
  type Tensor,
  transpose,
} from '@norga/tensor';
import type { AttentionProbsHook, LayerPrefix, PrefixScore, PromptQueriesHook } from './prefix.js';

/** A parameter by timm name (`blocks.0.attn.qkv.weight`, ...); throws when the model has none. */
export type ParamLookup = (name: string) => Tensor;

/** y = x Wᵀ + b (PyTorch's Linear; the transpose is a view, so no copy). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const y = matmul(x, transpose(weight));
  return bias === undefined ? y : y.add(bias);
}

/**
 * A stride-P, P×P convolution without a conv primitive: [B, C, H, W] → [B, gh, P, gw, P] blocks → permute so
 * each patch's (C, P, P) values are contiguous in the conv weight's order → one matmul with the weight
 * flattened to [D, C·P·P]. Returns [B, gh·gw, D] in row-major patch order, as timm's flatten(2).transpose(1, 2).
 */
export function patchEmbed(x: Tensor, weight: Tensor, bias: Tensor, patch: number): Tensor {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  const gh = h / patch;
  const gw = w / patch;
  const patches = x
    .reshape([b, c, gh, patch, gw, patch])
    .permute([0, 2, 4, 1, 3, 5])
    .reshape([b, gh * gw, c * patch * patch]);
  return linear(patches, weight.reshape([weight.shape[0]!, c * patch * patch]), bias);
}

/** One attention layer's settings: its head count, and the prefix contract of prefix.ts for this layer. */
export interface AttentionOptions {
  /** Number of heads H; the width D must be a multiple of it. */
  readonly heads: number;
  /** This layer's prefix keys/values (none: plain self-attention). */
  readonly prefix?: LayerPrefix;
  /** Applied to the prefix columns of the logits (identity when omitted). */
  readonly score?: PrefixScore;
  /** The layer index passed to `score` and `onAttentionProbs` (default 0). */
  readonly layer?: number;
  /** Sees the attention probabilities `[B, H, N, L + N]` (prefix columns first). */
  readonly onAttentionProbs?: AttentionProbsHook;
  /** Sees the queries mapped into the prompt's input space `[B, H, N, D]` (PromptQueriesHook). */
  readonly onPromptQueries?: PromptQueriesHook;
}

/** [B, L, D] → [B, H, L, D/H]. */
function splitHeads(t: Tensor, heads: number): Tensor {
  const [b, l, d] = t.shape as [number, number, number];
  return t.reshape([b, l, heads, d / heads]).permute([0, 2, 1, 3]);
}

/**
 * Multi-head self-attention with timm's fused qkv, optionally with prefix keys/values:
 * MSA(q, [p_k; k], [p_v; v]), where the prefix columns of the logits pass through `score` and then one softmax
 * runs over prefix and token columns together. `x` is `[B, N, D]` (the normed tokens), the result `[B, N, D]`;
 * `prefixName` names the parameters (`blocks.i.attn`). Throws when a prefix's shape does not fit
 * `[B or 1, L, D]`. packages/norga/src/moe.ts writes the same computation as an explicit mixture of experts.
 */
export function attention(x: Tensor, p: ParamLookup, prefixName: string, opts: AttentionOptions): Tensor {
  const [b, n, d] = x.shape as [number, number, number];
  const heads = opts.heads;
  const hd = d / heads;
  // q, k and v by three products with row blocks of the qkv weight, rather than one product split three ways:
  // the split's gradient would be three zero-padded copies of the whole qkv gradient, summed.
  const weight = p(`${prefixName}.qkv.weight`);
  const bias = p(`${prefixName}.qkv.bias`);
  const project = (i: number) =>
    linear(x, weight.slice(0, i * d, (i + 1) * d), bias.slice(0, i * d, (i + 1) * d));
  // scaled before the heads are split off, while the product is still contiguous
  const q = splitHeads(project(0).mul(hd ** -0.5), heads);
  let k = splitHeads(project(1), heads);
  let v = splitHeads(project(2), heads);
  // q_h · W_k,h per head: [B, H, N, d/H] @ [H, d/H, D] → [B, H, N, D].
  opts.onPromptQueries?.(matmul(q, weight.slice(0, d, 2 * d).reshape([heads, hd, d])), opts.layer ?? 0);
  if (opts.prefix === undefined && opts.onAttentionProbs === undefined) {
    // plain self-attention: one op, fused into one kernel where the backend has one (q is already scaled)
    const out = sdpa(q, k, v, 1).permute([0, 2, 1, 3]).reshape([b, n, d]);
    return linear(out, p(`${prefixName}.proj.weight`), p(`${prefixName}.proj.bias`));
  }
  let logits = matmul(q, transpose(k));
  if (opts.prefix !== undefined) {
    const { key, value } = opts.prefix;
    const lp = key.shape[1]!;
    if (key.rank !== 3 || key.shape[2] !== d || !(key.shape[0] === 1 || key.shape[0] === b)) {
      throw new Error(`prefix key must be [${b} or 1, Lp, ${d}], got [${key.shape.join(', ')}]`);
    }
    if (
      value.rank !== 3 ||
      value.shape[1] !== lp ||
      value.shape[2] !== d ||
      value.shape[0] !== key.shape[0]
    ) {
      throw new Error(
        `prefix value must match the key's shape [${key.shape.join(', ')}], got [${value.shape.join(', ')}]`,
      );
    }
    const pk = splitHeads(key.expand([b, lp, d]), heads);
    const pv = splitHeads(value.expand([b, lp, d]), heads);
    const raw = matmul(q, transpose(pk));
    const scored = opts.score === undefined ? raw : opts.score(raw, opts.layer ?? 0);
    logits = concat([scored, logits], -1);
    k = concat([pk, k], 2);
    v = concat([pv, v], 2);
  }
  const probs = softmax(logits, -1);
  opts.onAttentionProbs?.(probs, opts.layer ?? 0);
  const out = matmul(probs, v).permute([0, 2, 1, 3]).reshape([b, n, d]);
  return linear(out, p(`${prefixName}.proj.weight`), p(`${prefixName}.proj.bias`));
}

/**
 * A deep prompt `[B or 1, Lp, D]` of block `index` as the prefix it acts as: keys and values of the prompt normed by
 * the block's norm1, LN1(P)·W_kᵀ + b_k and LN1(P)·W_vᵀ + b_v, what the block's attention computes for tokens
 * appended to its input (VPT-deep; the prompt tokens' own outputs are dropped, so they need no query).
 */
export function promptPrefix(prompt: Tensor, p: ParamLookup, index: number, eps: number): LayerPrefix {
  const d = prompt.shape[prompt.rank - 1]!;
  if (prompt.rank !== 3)
    throw new Error(
      `deep prompt of block ${index} must be [B or 1, Lp, D], got [${prompt.shape.join(', ')}]`,
    );
  const normed = norm(prompt, p, `blocks.${index}.norm1`, eps);
  const weight = p(`blocks.${index}.attn.qkv.weight`);
  const bias = p(`blocks.${index}.attn.qkv.bias`);
  const project = (i: number) =>
    linear(normed, weight.slice(0, i * d, (i + 1) * d), bias.slice(0, i * d, (i + 1) * d));
  return { key: project(1), value: project(2) };
}

/** timm's Mlp: fc2(GELU(fc1(x))), `[..., D]` → `[..., D]` (GELU exact, with erf). */
export function mlp(x: Tensor, p: ParamLookup, name: string): Tensor {
  const h = gelu(linear(x, p(`${name}.fc1.weight`), p(`${name}.fc1.bias`)));
  return linear(h, p(`${name}.fc2.weight`), p(`${name}.fc2.bias`));
}

/** LayerNorm over the last axis with the weight and bias `<name>.weight`, `<name>.bias`. */
export function norm(x: Tensor, p: ParamLookup, name: string, eps: number): Tensor {
  return layerNorm(x, [x.shape[x.rank - 1]!], p(`${name}.weight`), p(`${name}.bias`), eps);
}

/** A pre-norm transformer block `blocks.<index>` on `[B, N, D]`: x + attn(norm1(x)), then + mlp(norm2(x)). */
export function block(
  x: Tensor,
  p: ParamLookup,
  index: number,
  eps: number,
  attn: Omit<AttentionOptions, 'layer'>,
): Tensor {
  const name = `blocks.${index}`;
  const a = attention(norm(x, p, `${name}.norm1`, eps), p, `${name}.attn`, { ...attn, layer: index });
  const y = x.add(a);
  return y.add(mlp(norm(y, p, `${name}.norm2`, eps), p, `${name}.mlp`));
}
