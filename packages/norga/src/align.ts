/**
 * Classifier alignment on Gaussian replay (HiDe-Prompt's last stage, for both the task-identity network and the
 * task-adaptive head): after a task, draw features from every seen class's Gaussian (mean, covariance + 1e-4·I)
 * and fine-tune the classifier on them with cross-entropy over the seen classes. No image of an old task is kept.
 * As the official code: SGD, momentum 0.9, cosine-annealed learning rate over the epochs; weight decay 5e-4 for the
 * task-identity network, 0 for the task-adaptive head (the official code's parameter group overrides it there).
 */
import { backward, SGD } from '@norga/autograd';
import { type Tensor, tensor, tidy } from '@norga/tensor';
import { type ClassGaussian, GaussianSampler } from './gaussian.js';
import { classificationLoss, maskBias } from './losses.js';
import type { Rng } from './rng.js';
import { letSignalsIn } from './signals.js';

export interface AlignOptions {
  /** features [B, D] → logits [B, C] */
  forward: (features: Tensor) => Tensor;
  params: Tensor[];
  gaussians: ReadonlyMap<number, ClassGaussian>;
  numClasses: number;
  epochs: number;
  lr: number;
  weightDecay: number;
  samplesPerClass: number;
  batchSize: number;
  rng: Rng;
  onStep?: (loss: number, step: number, steps: number, epoch: number) => void;
}

/** Steps alignClassifier will take (for progress bars). */
export function alignSteps(
  o: Pick<AlignOptions, 'epochs' | 'samplesPerClass' | 'batchSize'>,
  classes: number,
): number {
  return o.epochs * Math.ceil((o.samplesPerClass * classes) / o.batchSize);
}

export async function alignClassifier(o: AlignOptions): Promise<void> {
  const classes = [...o.gaussians.keys()].sort((a, b) => a - b);
  if (classes.length === 0 || o.epochs === 0) return;
  const samplers = classes.map((c) => new GaussianSampler(o.gaussians.get(c) as ClassGaussian));
  const D = (samplers[0] as GaussianSampler).dim;
  const opt = new SGD(o.params, { lr: o.lr, momentum: 0.9, weightDecay: o.weightDecay });
  const mask = maskBias(o.numClasses, classes);
  const n = classes.length * o.samplesPerClass;
  const steps = Math.ceil(n / o.batchSize);
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      // Cosine annealing per epoch (torch's CosineAnnealingLR with T_max = epochs, eta_min = 0).
      for (const g of opt.paramGroups) g.lr = (o.lr * (1 + Math.cos((Math.PI * epoch) / o.epochs))) / 2;
      const x = new Float32Array(n * D);
      const y = new Int32Array(n);
      samplers.forEach((s, k) => {
        s.sample(o.samplesPerClass, o.rng, x, k * o.samplesPerClass * D);
        y.fill(classes[k] as number, k * o.samplesPerClass, (k + 1) * o.samplesPerClass);
      });
      const order = o.rng.permutation(n);
      for (let step = 0; step < steps; step++) {
        const rows = order.subarray(step * o.batchSize, Math.min(n, (step + 1) * o.batchSize));
        const bx = new Float32Array(rows.length * D);
        const by = new Int32Array(rows.length);
        rows.forEach((r, k) => {
          bx.set(x.subarray(r * D, (r + 1) * D), k * D);
          by[k] = y[r] as number;
        });
        const loss = tidy(() => {
          const logits = o.forward(tensor(bx, { shape: [rows.length, D] })).add(mask);
          const l = classificationLoss(logits, tensor(by, { shape: [rows.length], dtype: 'int32' }));
          backward(l);
          opt.step();
          opt.zeroGrad();
          return l;
        });
        const value = await loss.item();
        loss.dispose();
        o.onStep?.(value, step + 1, steps, epoch + 1);
        await letSignalsIn();
      }
    }
  } finally {
    opt.zeroGrad();
    opt.dispose();
    mask.dispose();
  }
}
