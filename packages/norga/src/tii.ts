/**
 * Task-identity inference (HiDe-Prompt's first stage). The frozen backbone's prefix-free class feature goes
 * through a residual MLP and a head over all classes. Per task: train with the logits of other tasks' classes
 * masked, record each new class's Gaussian (mean, covariance + 1e-4·I) of the prefix-free features, then — from
 * the second task on — realign the whole network on Gaussian samples of every seen class. At test time the
 * predicted class (over seen classes) names the task whose prefix is used.
 */
import { Adam, backward, noGrad } from '@norga/autograd';
import { manualSeed, tensor, tidy } from '@norga/tensor';
import { alignClassifier } from './align.js';
import { type ClassGaussian, classStatistics } from './gaussian.js';
import { TiiNetwork } from './heads.js';
import { classificationLoss, maskBias } from './losses.js';
import { mixSeeds, type Rng } from './rng.js';
import { letSignalsIn } from './signals.js';
import { clipGradNorm } from './train-utils.js';

export interface TiiOptions {
  epochs: number;
  lr: number;
  batchSize: number;
  /** Gradient-norm clipping of the network's training steps (0: none). */
  clipGrad: number;
  caEpochs: number;
  caLr: number;
  caSamplesPerClass: number;
}

/** Weight decay of the task-identity network's Gaussian realignment (the official code's 5e-4). */
export const TII_ALIGN_WEIGHT_DECAY = 5e-4;

/** A finished optimisation step: phase, its loss, position, and the number of samples in its batch. */
export type StepReport = (
  phase: string,
  loss: number,
  step: number,
  steps: number,
  epoch: number,
  epochs: number,
  batch?: number,
) => void;

/** Rows of `feats` [n, D] whose label is c. */
export function rowsOfClass(
  feats: Float32Array,
  labels: Int32Array,
  c: number,
  dim: number,
): { data: Float32Array; n: number } {
  let n = 0;
  for (const l of labels) if (l === c) n++;
  const data = new Float32Array(n * dim);
  let k = 0;
  labels.forEach((l, i) => {
    if (l === c) data.set(feats.subarray(i * dim, (i + 1) * dim), k++ * dim);
  });
  return { data, n };
}

/** Per-class Gaussians of features [n, D]. */
export function classGaussians(
  feats: Float32Array,
  labels: Int32Array,
  classes: readonly number[],
  dim: number,
): Map<number, ClassGaussian> {
  const out = new Map<number, ClassGaussian>();
  for (const c of classes) {
    const { data, n } = rowsOfClass(feats, labels, c, dim);
    out.set(c, classStatistics(data, n, dim));
  }
  return out;
}

export class TaskIdentity {
  readonly net: TiiNetwork;
  readonly gaussians = new Map<number, ClassGaussian>();

  constructor(
    readonly dim: number,
    readonly numClasses: number,
    seed: number,
  ) {
    manualSeed(mixSeeds(seed, 0x7117));
    this.net = new TiiNetwork(dim, numClasses);
  }

  async learnTask(
    task: number,
    feats: Float32Array,
    labels: Int32Array,
    taskClasses: readonly number[],
    seenClasses: readonly number[],
    o: TiiOptions,
    rng: Rng,
    report?: StepReport,
  ): Promise<void> {
    const D = this.dim;
    const n = labels.length;
    const params = this.net.parameters();
    const opt = new Adam(params, { lr: o.lr });
    const mask = maskBias(this.numClasses, taskClasses);
    const steps = Math.ceil(n / o.batchSize);
    try {
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        const order = rng.permutation(n);
        for (let s = 0; s < steps; s++) {
          const rows = order.subarray(s * o.batchSize, Math.min(n, (s + 1) * o.batchSize));
          const bx = new Float32Array(rows.length * D);
          const by = new Int32Array(rows.length);
          rows.forEach((r, k) => {
            bx.set(feats.subarray(r * D, (r + 1) * D), k * D);
            by[k] = labels[r] as number;
          });
          const loss = tidy(() => {
            const logits = this.net.forward(tensor(bx, { shape: [rows.length, D] })).add(mask);
            const l = classificationLoss(logits, tensor(by, { shape: [rows.length], dtype: 'int32' }));
            backward(l);
            return l;
          });
          await clipGradNorm(params, o.clipGrad);
          opt.step();
          opt.zeroGrad();
          const v = await loss.item();
          loss.dispose();
          report?.('tii', v, s + 1, steps, epoch + 1, o.epochs);
          await letSignalsIn();
        }
      }
    } finally {
      opt.zeroGrad();
      opt.dispose();
      mask.dispose();
    }
    for (const [c, g] of classGaussians(feats, labels, taskClasses, D)) this.gaussians.set(c, g);
    if (task > 0) {
      const seen = new Map(seenClasses.map((c) => [c, this.gaussians.get(c) as ClassGaussian]));
      await alignClassifier({
        forward: (x) => this.net.forward(x),
        params: this.net.parameters(),
        gaussians: seen,
        numClasses: this.numClasses,
        epochs: o.caEpochs,
        lr: o.caLr,
        weightDecay: TII_ALIGN_WEIGHT_DECAY,
        samplesPerClass: o.caSamplesPerClass,
        batchSize: o.batchSize,
        rng,
        onStep: (loss, step, steps, epoch) => report?.('tii-align', loss, step, steps, epoch, o.caEpochs),
      });
    }
  }

  /** The predicted class of each feature row, over the seen classes only. */
  async predictClasses(
    feats: Float32Array,
    seenClasses: readonly number[],
    batchSize = 256,
  ): Promise<Int32Array> {
    const D = this.dim;
    const n = feats.length / D;
    const out = new Int32Array(n);
    const mask = maskBias(this.numClasses, seenClasses);
    try {
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const pred = tidy(() =>
          noGrad(() =>
            this.net
              .forward(tensor(feats.subarray(start * D, end * D), { shape: [end - start, D] }))
              .add(mask)
              .argmax(1),
          ),
        );
        out.set(Int32Array.from((await pred.data()) as ArrayLike<number>), start);
        pred.dispose();
      }
    } finally {
      mask.dispose();
    }
    return out;
  }
}
