/**
 * Losses of the pipeline: cross-entropy over a subset of the classes (the "train mask" of HiDe-Prompt), and the
 * contrastive regulariser of its within-task prediction.
 */
import { crossEntropy } from '@norga/autograd';
import { arange, concat, type DType, matmul, type Tensor, tensor, transpose } from '@norga/tensor';

/**
 * A finite "minus infinity": large enough that exp underflows to exactly 0 in float32, finite so that neither the
 * softmax nor its gradient ever meets inf - inf.
 */
const MASKED_LOGIT = -1e9;

/** [C] additive mask: 0 for the allowed classes, MASKED_LOGIT for the rest. */
export function maskBias(numClasses: number, allowed: Iterable<number>, dtype: DType = 'float32'): Tensor {
  const data = dtype === 'float64' ? new Float64Array(numClasses) : new Float32Array(numClasses);
  data.fill(MASKED_LOGIT);
  for (const c of allowed) {
    if (!(c >= 0 && c < numClasses))
      throw new RangeError(`maskBias: class ${c} outside 0..${numClasses - 1}`);
    data[c] = 0;
  }
  return tensor(data, { shape: [numClasses], dtype });
}

/** Mean cross-entropy of logits [B, C] (already masked) against class ids [B] (int32). */
export function classificationLoss(logits: Tensor, labels: Tensor): Tensor {
  return crossEntropy(logits, labels);
}

/**
 * HiDe-Prompt's regulariser: stack the previous classes' prototypes (feature means) over the batch features,
 * M = [prototypes; features], and apply cross-entropy to the similarities M·Mᵀ / temperature with each row's own
 * index as its class. It pushes current features away from each other and from the old prototypes, so a new
 * task's representations do not overlap the old classes'.
 */
export function contrastiveRegulariser(
  features: Tensor,
  prototypes: Tensor | null,
  temperature = 0.8,
): Tensor {
  const m = prototypes ? concat([prototypes, features], 0) : features;
  const sim = matmul(m, transpose(m, 0, 1)).div(temperature);
  const n = m.shape[0] as number;
  return crossEntropy(sim, arange(0, n, 1, { dtype: 'int32' }));
}
