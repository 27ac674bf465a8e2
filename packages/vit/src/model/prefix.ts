/**
 * The one contract between the ViT and prompt-based methods: prefix methods (prefix tuning, NoRGa) give which
 * layers get prefix keys/values, how the prefix columns of the attention logits are scored, and the hook that sees
 * the attention probabilities; prompt-tuning methods (L2P, VPT-NSP) give prompt tokens, shallow (in the token
 * sequence) or deep (one per block, seen by attention), and where the feature is read. @norga/norga uses these
 * types as they are.
 */
import type { Tensor } from '@norga/tensor';

/**
 * Prefix keys p^K and values p^V for one layer, each `[B, L, D]` or `[1, L, D]` (shared by the batch), L the
 * prefix length and D the model width. Head h uses columns h·(D/H) … (h+1)·(D/H) − 1, as in prefix tuning (and
 * HiDe-Prompt's attention): the L prefix columns are L extra experts per head.
 */
export interface LayerPrefix {
  readonly key: Tensor;
  readonly value: Tensor;
}

/** Prefixes by layer index; layers without an entry run plain self-attention. */
export type Prefixes = ReadonlyMap<number, LayerPrefix>;

/**
 * Maps the prefix columns of one layer's attention logits, s = (q / √d_head) · p^Kᵀ of shape `[B, H, N, L]`,
 * to new logits of the same shape; the result is softmaxed jointly with the N token columns. Without one the
 * scores are used as they are (classic prefix tuning); NoRGa returns s + α · σ(τ · s) with the layer's (α, τ).
 */
export type PrefixScore = (scores: Tensor, layer: number) => Tensor;

/**
 * Sees one layer's attention probabilities `[B, H, N, L + N]` (prefix columns first; L = 0 on a layer without
 * a prefix) during the forward. The tensor belongs to the forward and is freed with it: read it inside the
 * hook, or take `keep(probs.share())` to hold it longer (and dispose that).
 */
export type AttentionProbsHook = (probs: Tensor, layer: number) => void;

/**
 * Sees one prompted layer's queries mapped into the prompt's input space, `[B, H, N, D]`: row (b, h, n) is
 * q_h·W_k,hᵀ (q the scaled query of token n in head h, W_k,h the head's rows of the key weight), so the logit of
 * that token for a deep prompt row p is that row · LN1(p) plus a term that does not depend on p. VPT-NSP's
 * null space is built from these. Called only for layers with a deep prompt; the tensor is freed with the forward.
 */
export type PromptQueriesHook = (queries: Tensor, layer: number) => void;

/**
 * Which token's output is the feature: `'class-token'` (the default, timm's pre-logits) or `'prompt-mean'`, the
 * mean of the shallow prompt tokens' outputs after the final norm (L2P's `head_type='prompt'`).
 */
export type Readout = 'class-token' | 'prompt-mean';

/** What a prompt-based method passes to the ViT's forward. Every field is optional: none is the plain ViT. */
export interface PrefixOptions {
  /** Prefix keys/values by layer; omit for the uninstructed, prefix-free forward. */
  readonly prefixes?: Prefixes;
  /** Applied to the prefix columns of the attention logits; the identity when omitted. */
  readonly score?: PrefixScore;
  /** Called for every layer with its attention probabilities (those layers then skip the fused kernel). */
  readonly onAttentionProbs?: AttentionProbsHook;
  /**
   * Shallow prompt tokens `[B or 1, Lp, D]`, inserted after the embedding (after the position embedding, before
   * block 0) behind the class token: `[cls, prompt, patches]`. They pass through every block as tokens (VPT-shallow,
   * L2P). No position embedding is added to them, so their place in the sequence does not change any output.
   */
  readonly prompt?: Tensor;
  /**
   * Deep prompts by layer, each `[B or 1, Lp, D]` (VPT-deep, as VPT-NSP uses): in block i the tokens also attend
   * to prompt i, normed by the block's norm1 and projected by its qkv weights (keys and values; its own outputs
   * are dropped). That is a prefix with key LN1(P)·W_kᵀ + b_k and value LN1(P)·W_vᵀ + b_v, and runs as one, so a
   * layer cannot have both a prefix and a deep prompt.
   */
  readonly deepPrompts?: ReadonlyMap<number, Tensor>;
  /** Called for every layer with a deep prompt with its queries in the prompt's input space (PromptQueriesHook). */
  readonly onPromptQueries?: PromptQueriesHook;
  /** Which output is the feature (default `'class-token'`); `'prompt-mean'` needs `prompt`. */
  readonly readout?: Readout;
}
