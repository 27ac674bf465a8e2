/** Prefix keys/values and the score hook: the public contract between the ViT and prefix-based methods. */
import type { Tensor } from '@norga/tensor';

/**
 * Prefix keys and values for one layer, each [B, Lp, D] or [1, Lp, D] (shared by the batch). Head h uses
 * columns h·(D/H) … (h+1)·(D/H) − 1, as in prefix tuning (and HiDe-Prompt's attention).
 */
export interface LayerPrefix {
  readonly key: Tensor;
  readonly value: Tensor;
}

/** Prefixes by layer index; layers without an entry run plain self-attention. */
export type Prefixes = ReadonlyMap<number, LayerPrefix> | readonly (LayerPrefix | undefined | null)[];

/**
 * Maps the prefix columns of the attention logits, s = (q / sqrt(d_head)) · p_kᵀ of shape [B, H, N, Lp], to
 * new logits of the same shape; the result is softmaxed jointly with the token columns. Identity is classic
 * prefix tuning; NoRGa uses s + alpha · sigma(tau · s). `layer` lets per-layer parameters be looked up.
 */
export type PrefixScoreFn = (scores: Tensor, layer: number) => Tensor;

export const identityScore: PrefixScoreFn = (s) => s;

export function prefixFor(prefixes: Prefixes | undefined, layer: number): LayerPrefix | undefined {
  if (prefixes === undefined) return undefined;
  const p =
    prefixes instanceof Map
      ? prefixes.get(layer)
      : (prefixes as readonly (LayerPrefix | undefined | null)[])[layer];
  return p ?? undefined;
}
