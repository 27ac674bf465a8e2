/**
 * The one contract between the ViT and prefix-based methods (prefix tuning, NoRGa): which layers get prefix
 * keys/values, how the prefix columns of the attention logits are scored, and the hook that sees the attention
 * probabilities. @norga/norga uses these types as they are.
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

/** What a prefix method passes to the ViT's forward. Every field is optional: none is the plain ViT. */
export interface PrefixOptions {
  /** Prefix keys/values by layer; omit for the uninstructed, prefix-free forward. */
  readonly prefixes?: Prefixes;
  /** Applied to the prefix columns of the attention logits; the identity when omitted. */
  readonly score?: PrefixScore;
  /** Called for every layer with its attention probabilities (those layers then skip the fused kernel). */
  readonly onAttentionProbs?: AttentionProbsHook;
}
