/**
 * The one minibatch loop every stage trains with (within-task prediction, task-identity inference, the
 * Gaussian realignments): for each epoch a sample order, for each batch the recorded loss, backward, optional
 * gradient-norm clipping, an optimiser step. The stages differ only in their loss and their data, so each stage
 * file shows its loss and nothing of the loop. Which tensors learn is said once here: the loop's parameters
 * require gradients while it runs and not after it, and the optimiser is freed when it ends.
 */
import { backward, gradOf, noGrad, type Optimizer, requiresGrad_, setGrad } from '@norga/autograd';
import { type Tensor, tensor, tidy } from '@norga/tensor';
import { classificationLoss, maskBias } from './losses.js';
import { letSignalsIn } from './signals.js';

/**
 * A finished optimisation step: the stage (`wtp`, `tap-align`, `tii`, `tii-align`), its loss, the step and epoch
 * (1-based) out of how many, and the number of samples in its batch where the stage counts them.
 */
export type StepReport = (
  phase: string,
  loss: number,
  step: number,
  steps: number,
  epoch: number,
  epochs: number,
  batch?: number,
) => void;

/** What one stage's training is: its data size, its schedule, its parameters and optimiser, and its loss. */
export interface MinibatchTraining {
  /** Number of samples n; a batch is `batchSize` consecutive entries of the epoch's order (the last one shorter). */
  readonly n: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** Stops after this many steps in all (default: every batch of every epoch). */
  readonly maxSteps?: number;
  /** The tensors that learn: they require gradients during the loop only. */
  readonly params: readonly Tensor[];
  /** Steps `params` (and may hold others' groups' settings); disposed when the loop ends. */
  readonly optimizer: Optimizer<{ lr: number }>;
  /** Gradient-norm bound applied before each step (0: the norm is still computed, nothing is scaled; absent: no clipping). */
  readonly clipGrad?: number;
  /** Starts epoch e (0-based) and returns its sample order, a permutation of 0 … n − 1. */
  epochOrder(epoch: number): Int32Array;
  /** The scalar loss of the batch whose rows (entries of the order) are given, recorded for backward. */
  loss(rows: Int32Array): Tensor;
  /** After each step: its loss, step and epoch (1-based) and their counts, the batch's size. */
  readonly onStep?: (
    loss: number,
    step: number,
    steps: number,
    epoch: number,
    epochs: number,
    batch: number,
  ) => void;
}

/** Runs the loop of `t` (see MinibatchTraining). */
export async function trainMinibatches(t: MinibatchTraining): Promise<void> {
  const steps = Math.ceil(t.n / t.batchSize);
  const budget = t.maxSteps ?? t.epochs * steps;
  for (const p of t.params) requiresGrad_(p, true);
  try {
    for (let epoch = 0, taken = 0; epoch < t.epochs; epoch++) {
      const order = t.epochOrder(epoch);
      for (let s = 0; s < steps && taken < budget; s++, taken++) {
        const rows = order.subarray(s * t.batchSize, Math.min(t.n, (s + 1) * t.batchSize));
        const loss = tidy(() => {
          const l = t.loss(rows);
          backward(l);
          return l;
        });
        if (t.clipGrad !== undefined) await clipGradNorm(t.params, t.clipGrad);
        t.optimizer.step();
        t.optimizer.zeroGrad();
        const value = await loss.item();
        loss.dispose();
        t.onStep?.(value, s + 1, steps, epoch + 1, t.epochs, rows.length);
        await letSignalsIn();
      }
    }
  } finally {
    t.optimizer.zeroGrad();
    t.optimizer.dispose(); // its moment buffers; the parameters stay
    for (const p of t.params) requiresGrad_(p, false);
  }
}

/**
 * Scales the gradients of `params` so that their joint L2 norm is at most maxNorm (torch.nn.utils.clip_grad_norm_,
 * with its 1e-6 in the denominator). Returns the norm before clipping. maxNorm <= 0 disables clipping. Kept beside
 * autograd's clipGradNorm_ because its sum order is the one the recorded results were computed with.
 */
async function clipGradNorm(params: readonly Tensor[], maxNorm: number): Promise<number> {
  const grads = params.map((p) => gradOf(p)).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;
  const sq = tidy(() => noGrad(() => grads.map((g) => g.square().sum()).reduce((a, b) => a.add(b))));
  const norm = Math.sqrt(await sq.item());
  sq.dispose();
  if (maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    noGrad(() => {
      for (const p of params) {
        const g = gradOf(p);
        if (g) setGrad(p, g.mul(scale));
      }
    });
  }
  return norm;
}

/** A classifier trained on feature rows (MinibatchTraining without its n and loss, which follow from these). */
export interface ClassifierTraining extends Omit<MinibatchTraining, 'n' | 'loss'> {
  /** The classifier: features [B, D] → logits [B, C]. */
  forward(features: Tensor): Tensor;
  /** Feature rows [n, D], row-major; may be refilled by epochOrder (the Gaussian replay draws anew each epoch). */
  readonly feats: Float32Array;
  /** The class of each row, [n]. */
  readonly labels: Int32Array;
  /** D, the feature width. */
  readonly dim: number;
  /** C, the number of logits. */
  readonly numClasses: number;
  /** The classes whose logits count; the others are masked out of the softmax. */
  readonly classes: Iterable<number>;
}

/** Trains a classifier on feature rows with the masked cross-entropy CE(forward(x) + mask, y). */
export async function trainClassifier(o: ClassifierTraining): Promise<void> {
  const mask = maskBias(o.numClasses, o.classes);
  try {
    await trainMinibatches({
      ...o,
      n: o.labels.length,
      loss: (rows) => {
        const batch = featureBatch(o.feats, o.labels, rows, o.dim);
        return classificationLoss(o.forward(batch.x).add(mask), batch.y);
      },
    });
  } finally {
    mask.dispose();
  }
}

/** Rows `rows` of features `x` [n, D] and their labels, as a float32 [B, D] and an int32 [B] tensor. */
function featureBatch(
  x: Float32Array,
  labels: Int32Array,
  rows: Int32Array,
  dim: number,
): { x: Tensor; y: Tensor } {
  const bx = new Float32Array(rows.length * dim);
  const by = new Int32Array(rows.length);
  rows.forEach((r, k) => {
    bx.set(x.subarray(r * dim, (r + 1) * dim), k * dim);
    by[k] = labels[r] as number;
  });
  return {
    x: tensor(bx, { shape: [rows.length, dim] }),
    y: tensor(by, { shape: [rows.length], dtype: 'int32' }),
  };
}
