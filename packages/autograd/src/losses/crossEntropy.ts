/**
 * Cross-entropy from logits, as torch.nn.functional.cross_entropy: class indices (int32) or class
 * probabilities (float, logits' shape) as targets, label smoothing, ignoreIndex, and mean / sum / none.
 * Logits are [N, C], [C], or [N, C, d1, ...] (classes on axis 1).
 */
import {
  add,
  cast,
  div,
  gather,
  logSoftmax,
  mul,
  ne,
  neg,
  permute,
  reshape,
  sameShape,
  sum,
  type Tensor,
  tidy,
  where,
} from '@norga/tensor';
import { alias } from '../engine/alias.js';
import { describe, GradError } from '../errors.js';
import { type Reduction, reduce } from './reduction.js';

/** Options of crossEntropy: reduction, labelSmoothing and ignoreIndex, as torch.nn.functional.cross_entropy. */
export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** ε in [0, 1]: the target becomes (1-ε)·target + ε/C (uniform over classes). */
  labelSmoothing?: number;
  /** Targets equal to this index contribute nothing (and do not count in the mean). Default -100. */
  ignoreIndex?: number;
}

/** Moves classes to the last axis and flattens the rest: [M, C], plus the shape of the per-item losses. */
function rows(logits: Tensor): { flat: Tensor; itemShape: number[] } {
  if (logits.rank === 1) return { flat: reshape(logits, [1, logits.shape[0]!]), itemShape: [] };
  if (logits.rank === 2) return { flat: alias(logits), itemShape: [logits.shape[0]!] };
  const dims = [0, ...Array.from({ length: logits.rank - 2 }, (_, i) => i + 2), 1];
  const moved = permute(logits, dims);
  const c = logits.shape[1]!;
  const flat = reshape(moved, [-1, c]);
  moved.dispose();
  return { flat, itemShape: [logits.shape[0]!, ...logits.shape.slice(2)] };
}

/**
 * Class indices must lie in [0, C) (or equal ignoreIndex), as PyTorch requires. `safe` is the target with ignored
 * entries set to 0, so a range check over it sees exactly the bad targets. The backend checks it: at once on the
 * CPU (and on WebGPU for targets written from the host), else at the next read; either way the error names
 * crossEntropy and the target, not the gather that would otherwise meet the bad index.
 */
function checkTargets(safe: Tensor, c: number): void {
  safe.backend.checkIndexRange('crossEntropy', safe, 0, c, 'target');
}

/** Cross-entropy of logits [N, C] (or [C], or [N, C, d...]) against int32 class indices or class probabilities shaped like the logits, computed through logSoftmax (torch.nn.functional.cross_entropy). */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { reduction = 'mean', labelSmoothing: eps = 0, ignoreIndex = -100 } = options;
  if (logits.rank === 0)
    throw new GradError('crossEntropy', `logits need a class axis, got ${describe(logits)}`);
  if (!(eps >= 0 && eps <= 1))
    throw new GradError('crossEntropy', `labelSmoothing must lie in [0, 1], got ${eps}`);
  const c = logits.rank === 1 ? logits.shape[0]! : logits.shape[1]!;
  return tidy(() => {
    const { flat, itemShape } = rows(logits);
    const logp = logSoftmax(flat, -1);
    let perItem: Tensor;
    let count: Tensor | number = flat.shape[0]!;
    if (target.dtype === 'int32') {
      if (!sameShape(target.shape, itemShape)) {
        throw new GradError(
          'crossEntropy',
          `class-index target ${describe(target)} must have shape [${itemShape}] for logits ${describe(logits)}`,
        );
      }
      const t = reshape(target, [-1, 1]);
      const valid = ne(t, ignoreIndex);
      // Ignored rows read class 0 (any valid index) and are then masked out.
      const safe = where(valid, t, 0);
      checkTargets(safe, c);
      const picked = reshape(gather(logp, 1, safe), [-1]);
      let loss = neg(picked);
      if (eps > 0) {
        const smooth = neg(sum(logp, 1));
        loss = add(mul(loss, 1 - eps), mul(smooth, eps / c));
      }
      const validRow = reshape(valid, [-1]);
      loss = where(validRow, loss, 0);
      count = sum(cast(validRow, logits.dtype));
      perItem = loss;
    } else {
      if (target.dtype !== logits.dtype || !sameShape(target.shape, logits.shape)) {
        throw new GradError(
          'crossEntropy',
          `probability target ${describe(target)} must match logits ${describe(logits)} (or be int32 class indices)`,
        );
      }
      const { flat: tflat } = rows(target);
      const p = eps > 0 ? add(mul(tflat, 1 - eps), eps / c) : tflat;
      perItem = neg(sum(mul(logp, p), 1));
    }
    if (reduction === 'mean' && typeof count !== 'number') {
      // Mean over the rows that count; all rows ignored gives NaN (0/0), as PyTorch.
      return div(sum(perItem), count);
    }
    if (reduction === 'none') return reshape(perItem, itemShape);
    return reduce('crossEntropy', perItem, reduction);
  });
}
