/**
 * Classifier alignment on Gaussian replay (HiDe-Prompt's last stage, for both the task-identity network and the
 * task-adaptive head): after a task, draw features from every seen class's Gaussian (mean, covariance + 1e-4·I)
 * and fine-tune the classifier on them with cross-entropy over the seen classes. No image of an old task is kept.
 * As the official code: SGD, momentum 0.9, cosine-annealed learning rate over the epochs; weight decay 5e-4 for the
 * task-identity network, 0 for the task-adaptive head (the official code's parameter group overrides it there).
 */
import { SGD } from '@norga/autograd';
import type { Tensor } from '@norga/tensor';
import { type ClassGaussian, GaussianSampler } from './gaussian.js';
import type { Rng } from './rng.js';
import { trainClassifier } from './train-loop.js';

/** One realignment: the classifier, the Gaussians to replay, and the schedule. */
export interface AlignOptions {
  /** The classifier: features [B, D] → logits [B, C]. */
  forward: (features: Tensor) => Tensor;
  /** The classifier's parameters: they learn during the realignment only. */
  params: Tensor[];
  /** Class → its Gaussian; every class in it is replayed, and the logits are restricted to these classes. */
  gaussians: ReadonlyMap<number, ClassGaussian>;
  /** C, the number of logits. */
  numClasses: number;
  epochs: number;
  /** Initial SGD learning rate (cosine-annealed to 0 over the epochs). */
  lr: number;
  weightDecay: number;
  /** Samples drawn per class and epoch. */
  samplesPerClass: number;
  batchSize: number;
  /** Draws the samples and their order. */
  rng: Rng;
  /** After each step: its loss, step and epoch (1-based) and the steps per epoch. */
  onStep?: (loss: number, step: number, steps: number, epoch: number) => void;
}

/**
 * Fine-tunes the classifier on fresh Gaussian samples each epoch: minimises the cross-entropy of
 * forward(z) + mask over the replayed classes, z ~ N(μ_c, Σ_c) for every class c in `gaussians`.
 * Does nothing without classes or epochs.
 */
export async function alignClassifier(o: AlignOptions): Promise<void> {
  const classes = [...o.gaussians.keys()].sort((a, b) => a - b);
  if (classes.length === 0 || o.epochs === 0) return;
  const samplers = classes.map((c) => new GaussianSampler(o.gaussians.get(c) as ClassGaussian));
  const D = (samplers[0] as GaussianSampler).dim;
  const optimizer = new SGD(o.params, { lr: o.lr, momentum: 0.9, weightDecay: o.weightDecay });
  const n = classes.length * o.samplesPerClass;
  const feats = new Float32Array(n * D);
  const labels = new Int32Array(n);
  await trainClassifier({
    forward: o.forward,
    feats,
    labels,
    dim: D,
    numClasses: o.numClasses,
    classes,
    batchSize: o.batchSize,
    epochs: o.epochs,
    params: o.params,
    optimizer,
    epochOrder: (epoch) => {
      // Cosine annealing per epoch (torch's CosineAnnealingLR with T_max = epochs, eta_min = 0).
      for (const g of optimizer.paramGroups) g.lr = (o.lr * (1 + Math.cos((Math.PI * epoch) / o.epochs))) / 2;
      samplers.forEach((s, k) => {
        s.sample(o.samplesPerClass, o.rng, feats, k * o.samplesPerClass * D);
        labels.fill(classes[k] as number, k * o.samplesPerClass, (k + 1) * o.samplesPerClass);
      });
      return o.rng.permutation(n);
    },
    onStep: (loss, step, steps, epoch) => o.onStep?.(loss, step, steps, epoch),
  });
}
