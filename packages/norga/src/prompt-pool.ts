/**
 * L2P's prompt pool (Wang et al., CVPR 2022): M prompts of L tokens, each with a learnable key. A sample's query
 * (the frozen backbone's prefix-free class feature) picks the N prompts whose keys are nearest by cosine; they are
 * concatenated into one shallow prompt of N·L tokens, and the pull loss draws the picked keys towards the query.
 *
 * Selection is per sample (the official code takes the batch's N most frequent picks for the whole batch in
 * training): a sample's prompt, hence its prediction, never depends on the other samples in its batch.
 */
import { noGrad } from '@norga/autograd';
import { argmax, concat, indexSelect, oneHot, type Tensor } from '@norga/tensor';
import { cosineMatrix, uniformParameter, unitRows } from './prompt-family.js';
import type { Rng } from './rng.js';

/**
 * The indices [B, N] (int32) of the `n` keys [M, D] nearest to each query [B, D] by cosine, nearest first; a tie
 * goes to the lower index. The picks are constants (the selection is not differentiated).
 */
export function selectByCosine(queries: Tensor, keys: Tensor, n: number): Tensor {
  const m = keys.shape[0]!;
  if (!(Number.isInteger(n) && n >= 1 && n <= m)) {
    throw new RangeError(`selectByCosine: n must be an integer in 1..${m} (the pool size), got ${n}`);
  }
  if (queries.rank !== 2 || keys.rank !== 2 || queries.shape[1] !== keys.shape[1]) {
    throw new RangeError(
      `selectByCosine: queries [B, D] and keys [M, D] must share D, got [${queries.shape.join(', ')}] and [${keys.shape.join(', ')}]`,
    );
  }
  return noGrad(() => {
    let sim = cosineMatrix(queries, keys);
    const picks: Tensor[] = [];
    for (let k = 0; k < n; k++) {
      const pick = argmax(sim, 1, true);
      picks.push(pick);
      // Cosines lie in [-1, 1]: taking 4 off a picked entry puts it below every other.
      if (k + 1 < n) sim = sim.sub(oneHot(pick.squeeze(1), m, 'float32').mul(4));
    }
    return concat(picks, 1);
  });
}

/** The pool: prompts [M, L, D] and keys [M, D], both trained. */
export class PromptPool {
  readonly prompts: Tensor;
  readonly keys: Tensor;

  /** M prompts of `length` tokens of width `dim`; prompts and keys drawn from U(0, `scale`) by `rng`. */
  constructor(
    readonly size: number,
    readonly length: number,
    readonly dim: number,
    rng: Rng,
    scale: number,
  ) {
    this.prompts = uniformParameter(rng, [size, length, dim], 0, scale);
    this.keys = uniformParameter(rng, [size, dim], 0, scale);
  }

  /** The shallow prompt [B, N·L, D] of the picks [B, N]: each sample's prompts, nearest key first. */
  gather(picks: Tensor): Tensor {
    const [b, n] = picks.shape as [number, number];
    return indexSelect(this.prompts, 0, picks.reshape([b * n])).reshape([b, n * this.length, this.dim]);
  }

  /** λ·mean over the batch of Σ over the picks of (1 − cos(query, key)): the pull loss (queries are constants). */
  pullLoss(queries: Tensor, picks: Tensor, weight: number): Tensor {
    const [b, n] = picks.shape as [number, number];
    const keys = indexSelect(unitRows(this.keys), 0, picks.reshape([b * n])).reshape([b, n, this.dim]);
    const cos = keys.mul(unitRows(queries).unsqueeze(1)).sum(-1);
    return cos.neg().add(1).sum(1).mean().mul(weight);
  }

  /** Its tensors by state name. */
  parameters(): [string, Tensor][] {
    return [
      ['pool.prompts', this.prompts],
      ['pool.keys', this.keys],
    ];
  }

  /** Frees the prompts and keys. */
  dispose(): void {
    this.prompts.dispose();
    this.keys.dispose();
  }
}
