/**
 * Task-identity inference (HiDe-Prompt's first stage). The frozen backbone's prefix-free class feature goes
 * through a residual MLP and a head over all classes. Per task: train with the logits of other tasks' classes
 * masked, record each new class's Gaussian (mean, covariance + 1e-4·I) of the prefix-free features, then — from
 * the second task on — realign the whole network on Gaussian samples of every seen class. At test time the
 * predicted class (over seen classes) names the task whose prefix is used.
 */
import { Adam, noGrad } from '@norga/autograd';
import { manualSeed, tensor, tidy } from '@norga/tensor';
import { alignClassifier } from './align.js';
import { type ClassGaussian, classGaussians } from './gaussian.js';
import { TiiNetwork } from './heads.js';
import { maskBias } from './losses.js';
import { mixSeeds, type Rng } from './rng.js';
import { type StepReport, trainClassifier } from './train-loop.js';

/** The task-identity network's schedule (the run's `--tii-*` and `--ca-*` settings). */
export interface TiiOptions {
  epochs: number;
  /** Adam learning rate of the network's training. */
  lr: number;
  batchSize: number;
  /** Gradient-norm clipping of the network's training steps (0: none). */
  clipGrad: number;
  /** Epochs of the Gaussian realignment. */
  caEpochs: number;
  /** SGD learning rate of the Gaussian realignment. */
  caLr: number;
  /** Gaussian samples per class and realignment epoch. */
  caSamplesPerClass: number;
}

/** Weight decay of the task-identity network's Gaussian realignment (the official code's 5e-4). */
const TII_ALIGN_WEIGHT_DECAY = 5e-4;

/** The task-identity network and the Gaussians of the prefix-free features of every class seen so far. */
export class TaskIdentity {
  readonly net: TiiNetwork;
  readonly gaussians = new Map<number, ClassGaussian>();

  /** A fresh network for features of width `dim` and `numClasses` logits, initialised from `seed`. */
  constructor(
    readonly dim: number,
    readonly numClasses: number,
    seed: number,
  ) {
    manualSeed(mixSeeds(seed, 0x7117));
    this.net = new TiiNetwork(dim, numClasses);
  }

  /**
   * Learns task `task` from its prefix-free features `feats` [n, D] and `labels` [n]; it minimises the
   * cross-entropy over the task's own classes (the others masked), records each new class's Gaussian, and from
   * the second task on realigns the network on Gaussian samples of every class in `seenClasses`. `rng` orders
   * the batches and draws the samples.
   */
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
    const params = this.net.parameters();
    await trainClassifier({
      forward: (x) => this.net.forward(x),
      feats,
      labels,
      dim: this.dim,
      numClasses: this.numClasses,
      classes: taskClasses,
      batchSize: o.batchSize,
      epochs: o.epochs,
      params,
      optimizer: new Adam(params, { lr: o.lr }),
      clipGrad: o.clipGrad,
      epochOrder: () => rng.permutation(labels.length),
      onStep: (loss, step, steps, epoch, epochs) => report?.('tii', loss, step, steps, epoch, epochs),
    });
    for (const [c, g] of classGaussians(feats, labels, taskClasses, this.dim)) this.gaussians.set(c, g);
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

  /** The predicted class of each row of `feats` [n, D], over `seenClasses` only (the task follows from it). */
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
