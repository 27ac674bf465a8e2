/** Mean squared error and binary cross-entropy with logits, as their torch.nn.functional namesakes. */
import { add, exp, log, maximum, mul, neg, sameShape, sub, type Tensor, tidy } from '@norga/tensor';
import { describe, GradError } from '../errors.js';
import { type Reduction, reduce } from './reduction.js';

function checkSameShapeAndDType(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape) || input.dtype !== target.dtype) {
    throw new GradError(
      op,
      `input ${describe(input)} and target ${describe(target)} must have the same shape and dtype`,
    );
  }
}

/** Mean squared error between input and target of one shape and dtype (torch.nn.functional.mse_loss). */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkSameShapeAndDType('mseLoss', input, target);
  return tidy(() => {
    const d = sub(input, target);
    return reduce('mseLoss', mul(d, d), options.reduction ?? 'mean');
  });
}

/** Options of bceWithLogits: reduction, posWeight (per class) and weight (per element), as PyTorch. */
export interface BceOptions {
  reduction?: Reduction;
  /** Weight of the positive term per class (broadcast over the last axis), as pos_weight. */
  posWeight?: Tensor;
  /** Rescales each element's loss (broadcast), as weight. */
  weight?: Tensor;
}

/**
 * -[y·log σ(x) + (1-y)·log(1-σ(x))], computed stably as PyTorch does:
 * (1-y)·x + L·(log(e^{-m} + e^{-x-m}) + m) with m = max(-x, 0) and L = 1 + (posWeight-1)·y.
 */
export function bceWithLogits(input: Tensor, target: Tensor, options: BceOptions = {}): Tensor {
  checkSameShapeAndDType('bceWithLogits', input, target);
  return tidy(() => {
    const m = maximum(neg(input), 0);
    const softplusNeg = add(log(add(exp(neg(m)), exp(sub(neg(input), m)))), m);
    const weighted = options.posWeight
      ? mul(add(mul(sub(options.posWeight, 1), target), 1), softplusNeg)
      : softplusNeg;
    let loss = add(mul(sub(1, target), input), weighted);
    if (options.weight) loss = mul(loss, options.weight);
    return reduce('bceWithLogits', loss, options.reduction ?? 'mean');
  });
}
