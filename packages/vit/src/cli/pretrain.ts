/**
 * `norga-vit pretrain`: trains the tiny ViT from scratch on Fashion-MNIST or MNIST with AdamW and a warm-up +
 * cosine schedule, evaluates on the test split after each epoch, checkpoints atomically (weights + optimiser +
 * schedule + progress) every few steps and at each epoch end, and resumes exactly where it stopped.
 */

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { warmupCosine } from '@norga/autograd';
import { compose, DataLoader, type Dataset, loadDataset, lockDir, T, type Transform } from '@norga/datasets';
import { setBackend } from '@norga/tensor';
import { PRETRAIN_NORMALIZATION, type ViTConfig, vitConfig } from '../config.js';
import { ViT } from '../model/vit.js';
import { writeFileAtomic, writeSafetensorsFile } from '../node.js';
import { countCorrect, createTrainStep } from '../train/step.js';
import {
  checkPointerFits,
  type EpochRecord,
  readPointer,
  restoreCheckpoint,
  saveCheckpoint,
  type TrainingProgress,
} from './checkpoint.js';
import { formatDuration, ProgressLine } from './progress.js';
import { seededSubset, testSubsetSeed } from './subset.js';

/** Cheap augmentations for 28×28 grey images; each is seeded by the loader's per-epoch generator. */
export const AUGMENTATIONS = {
  /** A random shift of up to ±2 pixels in each direction (zero padding 2, random 28×28 window). */
  shift2: (size: number): Transform => T.randomCrop(size, size, 2),
  /** Left-right mirror with probability 1/2 (right for clothes, wrong for digits). */
  flip: (_size: number): Transform => T.randomHorizontalFlip(0.5),
} as const;
export type Augmentation = keyof typeof AUGMENTATIONS;

/** A pretraining that cannot start or continue as asked (an --out holding another run, nothing to resume, ...). */
export class PretrainError extends Error {
  override readonly name = 'PretrainError';
}

const noCheckpoint = (out: string) =>
  new PretrainError(
    `--resume: ${out} holds no checkpoint to resume; drop --resume to start a new pretraining there`,
  );

export interface PretrainOptions {
  readonly dataset: 'fashion-mnist' | 'mnist';
  readonly dataDir?: string;
  readonly out: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly weightDecay: number;
  readonly warmupSteps: number;
  readonly labelSmoothing: number;
  /** Random training-time augmentations (none, or a list of: shift2 = ±2-pixel shifts, flip = left-right). */
  readonly augment: readonly Augmentation[];
  /** The cosine schedule ends at this fraction of the peak lr. */
  readonly finalLrFraction: number;
  readonly seed: number;
  readonly checkpointEvery: number;
  readonly resume: boolean;
  readonly backend: string;
  /** Train / test on a seeded subset of this many images (0: all). */
  readonly limitTrain: number;
  readonly limitTest: number;
  /** Stop (after checkpointing) once this global step is reached; 0: never. For tests and time-boxed runs. */
  readonly stopAfterSteps: number;
}

export interface PretrainReport {
  readonly status: 'finished' | 'stopped';
  readonly dataset: string;
  readonly config: ViTConfig;
  readonly trainImages: number;
  readonly testImages: number;
  readonly epochsDone: number;
  readonly globalStep: number;
  readonly testAccuracy: number | null;
  readonly trainingSeconds: number;
  readonly history: readonly EpochRecord[];
  readonly out: string;
}

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The options that must match for a resume to continue the same run, in the order they are recorded. */
const RUN_IDENTITY = [
  'dataset',
  'epochs',
  'batchSize',
  'lr',
  'weightDecay',
  'warmupSteps',
  'labelSmoothing',
  'augment',
  'finalLrFraction',
  'seed',
  'limitTrain',
  'limitTest',
] as const satisfies readonly (keyof PretrainOptions)[];

/** Those options of `o`, by name. */
function runIdentity(o: PretrainOptions): Record<string, unknown> {
  return Object.fromEntries(RUN_IDENTITY.map((k) => [k, o[k]]));
}

export async function pretrain(o: PretrainOptions, io: Io): Promise<PretrainReport> {
  await setBackend(o.backend);
  const config = vitConfig('tiny');
  const data: Dataset = loadDataset(o.dataset, o.dataDir === undefined ? {} : { dataDir: o.dataDir });
  const { mean, std } = PRETRAIN_NORMALIZATION[o.dataset];
  const transform = T.normalize([mean], [std]);
  const train = new DataLoader(seededSubset(data.train, o.limitTrain, o.seed + 1), {
    batchSize: o.batchSize,
    shuffle: true,
    seed: o.seed,
    dropLast: true,
    // Augmentations act on pixels in [0, 1] (zero padding is the black background), before normalising.
    transform: compose(...o.augment.map((a) => AUGMENTATIONS[a](config.imageSize)), transform),
  });
  const test = new DataLoader(seededSubset(data.test, o.limitTest, testSubsetSeed(o.seed)), {
    batchSize: 256,
    shuffle: false,
    transform,
  });
  const stepsPerEpoch = train.numBatches;
  if (stepsPerEpoch === 0)
    throw new PretrainError(`--batch-size ${o.batchSize} exceeds the ${train.size} training images`);
  if (o.resume && (await readPointer(o.out)) === null) {
    // A pretraining running there may not have written its first checkpoint yet: then it holds the lock, and
    // "in use" (LockError) is the true answer, not "nothing to resume".
    if (existsSync(o.out)) lockDir(o.out).release();
    throw noCheckpoint(o.out);
  }
  // Everything checkable is checked: only now is --out created, and locked against a second pretraining.
  await mkdir(o.out, { recursive: true });
  const lock = lockDir(o.out);
  try {
    return await runPretraining(o, io, { config, train, test, stepsPerEpoch });
  } finally {
    lock.release();
  }
}

async function runPretraining(
  o: PretrainOptions,
  io: Io,
  {
    config,
    train,
    test,
    stepsPerEpoch,
  }: { config: ViTConfig; train: DataLoader; test: DataLoader; stepsPerEpoch: number },
): Promise<PretrainReport> {
  const totalSteps = stepsPerEpoch * o.epochs;

  const model = ViT.create(config, { seed: o.seed });
  const step = createTrainStep(model, {
    lr: o.lr,
    weightDecay: o.weightDecay,
    labelSmoothing: o.labelSmoothing,
  });
  // The lr is a function of the global step (warm-up, then cosine to 1% of the peak), set before every step;
  // so a resume needs only the step count. (autograd's LambdaLR reads its function before storing it.)
  const schedule = warmupCosine(o.warmupSteps, totalSteps, o.finalLrFraction);
  const setLr = (globalStep: number) => {
    for (const g of step.optimizer.paramGroups) g.lr = o.lr * schedule(globalStep);
  };
  const identity = runIdentity(o);

  let progress: TrainingProgress = {
    epoch: 0,
    stepInEpoch: 0,
    globalStep: 0,
    elapsedSeconds: 0,
    history: [],
  };
  const pointer = await readPointer(o.out);
  if (pointer === null && o.resume) throw noCheckpoint(o.out);
  if (pointer !== null) {
    if (!o.resume)
      throw new PretrainError(
        `${o.out} already holds a checkpoint: pass --resume to continue it, or choose another --out`,
      );
    const differing = Object.keys(identity).filter(
      (k) => JSON.stringify(identity[k]) !== JSON.stringify(pointer.options[k]),
    );
    if (differing.length > 0) {
      throw new PretrainError(
        `cannot resume ${o.out}: ${differing.map((k) => `--${k} was ${JSON.stringify(pointer.options[k])}, now ${JSON.stringify(identity[k])}`).join('; ')}`,
      );
    }
    checkPointerFits(o.out, pointer, { config, epochs: o.epochs, stepsPerEpoch });
    await restoreCheckpoint(o.out, pointer, model, step.optimizer, undefined);
    progress = pointer.progress;
    io.stderr.write(
      `resuming ${o.out} at epoch ${progress.epoch + 1}, step ${progress.stepInEpoch}/${stepsPerEpoch}\n`,
    );
  }
  io.stderr.write(
    `pretraining ViT tiny (${model.numParameters()} parameters) on ${o.dataset}: ${train.size} train / ${test.size} test images, ` +
      `${o.epochs} epochs × ${stepsPerEpoch} steps, batch ${o.batchSize}, AdamW lr ${o.lr} wd ${o.weightDecay}, backend ${o.backend}\n`,
  );

  const line = new ProgressLine(io.stderr);
  const runStart = performance.now();
  const elapsed = () => progress.elapsedSeconds + (performance.now() - runStart) / 1000;
  const baseElapsed = progress.elapsedSeconds;
  const save = (p: TrainingProgress) =>
    saveCheckpoint(o.out, model, step.optimizer, undefined, {
      config,
      options: identity,
      progress: { ...p, elapsedSeconds: baseElapsed + (performance.now() - runStart) / 1000 },
    });
  let stepsThisRun = 0;
  let stopped = false;

  for (let epoch = progress.epoch; epoch < o.epochs && !stopped; epoch++) {
    // A resume mid-epoch continues the epoch's sums (saved with the checkpoint), so its train loss and accuracy
    // cover the whole epoch, as in an uninterrupted run. (Checkpoints without them count from the resume.)
    const partial = progress.stepInEpoch > 0 ? progress.epochSums : undefined;
    const epochStart = elapsed() - (partial?.seconds ?? 0);
    let seen = partial?.seen ?? 0;
    let lossSum = partial?.lossSum ?? 0;
    let correct = partial?.correct ?? 0;
    let k = 0;
    for (const raw of train.rawBatches(epoch)) {
      if (k++ < progress.stepInEpoch) continue; // already trained before the resume
      const batch = train.toTensors(raw);
      setLr(progress.globalStep);
      const r = await step(batch.images, batch.labels);
      batch.images.dispose();
      batch.labels.dispose();
      stepsThisRun++;
      seen += raw.labels.length;
      lossSum += r.loss * raw.labels.length;
      correct += r.correct;
      progress = {
        ...progress,
        epoch,
        stepInEpoch: k,
        globalStep: progress.globalStep + 1,
        epochSums: { seen, lossSum, correct, seconds: elapsed() - epochStart },
      };
      const rate = (stepsThisRun * o.batchSize) / ((performance.now() - runStart) / 1000);
      line.update({
        epoch: epoch + 1,
        epochs: o.epochs,
        step: k,
        steps: stepsPerEpoch,
        loss: lossSum / seen,
        accuracy: correct / seen,
        imagesPerSecond: rate,
        etaSeconds: ((totalSteps - progress.globalStep) * o.batchSize) / rate,
      });
      if (o.stopAfterSteps > 0 && progress.globalStep >= o.stopAfterSteps) {
        await save(progress);
        stopped = true;
        break;
      }
      if (k < stepsPerEpoch && o.checkpointEvery > 0 && progress.globalStep % o.checkpointEvery === 0)
        await save(progress);
    }
    if (stopped) break;
    line.break();
    let testCorrect = 0;
    for (const batch of test.batches(0)) {
      testCorrect += await countCorrect(model, batch.images, batch.labels);
      batch.images.dispose();
      batch.labels.dispose();
    }
    const record: EpochRecord = {
      epoch: epoch + 1,
      trainLoss: seen > 0 ? lossSum / seen : Number.NaN,
      trainAccuracy: seen > 0 ? correct / seen : Number.NaN,
      testAccuracy: testCorrect / test.size,
      seconds: elapsed() - epochStart,
    };
    io.stderr.write(
      `epoch ${record.epoch}/${o.epochs}: test accuracy ${(100 * record.testAccuracy).toFixed(2)}% ` +
        `(train loss ${record.trainLoss.toFixed(4)}, ${formatDuration(record.seconds)})\n`,
    );
    const { epochSums: _done, ...rest } = progress;
    progress = { ...rest, epoch: epoch + 1, stepInEpoch: 0, history: [...progress.history, record] };
    await save(progress);
  }

  const last = progress.history[progress.history.length - 1];
  const report: PretrainReport = {
    status: stopped ? 'stopped' : 'finished',
    dataset: o.dataset,
    config,
    trainImages: train.size,
    testImages: test.size,
    epochsDone: progress.history.length,
    globalStep: progress.globalStep,
    testAccuracy: last?.testAccuracy ?? null,
    trainingSeconds: elapsed(),
    history: progress.history,
    out: o.out,
  };
  if (!stopped) {
    const weights = await model.toNamedArrays();
    await writeSafetensorsFile(join(o.out, 'model.safetensors'), weights, {
      config: JSON.stringify(config),
      dataset: o.dataset,
      // What the inputs must look like: pixels / 255, then (x - mean) / std.
      normalization: JSON.stringify(PRETRAIN_NORMALIZATION[o.dataset]),
      testAccuracy: String(report.testAccuracy),
    });
    await writeFileAtomic(join(o.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    io.stdout.write(
      `${o.dataset}: test accuracy ${(100 * (report.testAccuracy ?? 0)).toFixed(2)}% after ${report.epochsDone} epochs, ` +
        `${formatDuration(report.trainingSeconds)} of training; weights in ${join(o.out, 'model.safetensors')}\n`,
    );
  } else {
    io.stdout.write(
      `stopped at step ${progress.globalStep} (checkpoint in ${o.out}; continue with --resume)\n`,
    );
  }
  step.dispose();
  model.dispose();
  return report;
}
