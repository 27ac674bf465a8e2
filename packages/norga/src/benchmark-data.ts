/**
 * The benchmark's data, without the file system (a browser page passes the images it fetched): a
 * class-incremental split of one data set (via @norga/datasets), optionally cut down to N images per class, and
 * float batches preprocessed the way the backbone expects. Tasks hold index arrays into
 * the one train and one test ImageSet; pixels become floats one batch at a time, so memory stays bounded even
 * for 224×224 CIFAR inputs.
 */
import {
  classIncrementalSplit,
  DatasetError,
  type ImageSet,
  normalize,
  repeatChannels,
  resize,
  toFloatImage,
} from '@norga/datasets';
import { Rng } from './rng.js';

/** One task of a class-incremental sequence: its classes and its train and test samples. */
export interface TaskData {
  /** Position in the sequence, from 0. */
  index: number;
  /** Global class ids of the task. */
  classes: number[];
  /** Indices into BenchmarkData.train / .test. */
  train: Int32Array;
  /** Indices into BenchmarkData.test. */
  test: Int32Array;
}

/** A benchmark cut into tasks: the data sets and each task's classes and samples. */
export interface BenchmarkData {
  /** The benchmark's name. */
  name: string;
  train: ImageSet;
  test: ImageSet;
  tasks: TaskData[];
  /** taskOfClass[c]: the task holding class c. */
  taskOfClass: Int32Array;
  numClasses: number;
}

/** How images enter the backbone: size, channels, and the normalisation it was trained with. */
export interface Preprocess {
  size: number;
  channels: number;
  mean: readonly number[];
  std: readonly number[];
}

/**
 * The first `perClass` samples of each class after a seeded shuffle (all when perClass is 0), sorted ascending.
 * A class with fewer samples than asked is an error: a silently smaller task would skew the comparison.
 */
export function subsamplePerClass(
  labels: ArrayLike<number>,
  indices: ArrayLike<number>,
  perClass: number,
  seed: number,
  what: string,
): Int32Array {
  if (perClass === 0) return Int32Array.from(indices);
  const byClass = new Map<number, number[]>();
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    const c = labels[i] as number;
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  }
  const out: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(c) as number[];
    if (list.length < perClass) {
      throw new DatasetError(
        `${what}: class ${c} has ${list.length} samples, fewer than the ${perClass} per class asked for`,
      );
    }
    // One generator per class: asking for more of one class never changes another's selection.
    const perm = new Rng(seed * 7919 + c).permutation(list.length);
    for (let k = 0; k < perClass; k++) out.push(list[perm[k] as number] as number);
  }
  return Int32Array.from(out).sort();
}

/** How splitBenchmark cuts a data set into tasks; the class order and the per-class samples depend on `seed`. */
export interface BenchmarkSplitOptions {
  tasks: number;
  seed: number;
  trainPerClass: number;
  testPerClass: number;
  /** 'seeded' (default): a permutation drawn from the seed; or an explicit permutation of the class ids. */
  classOrder?: 'seeded' | readonly number[];
}

/**
 * Cuts `train`/`test` into tasks of consecutive classes of the class order (seeded or given), each class
 * subsampled to `trainPerClass`/`testPerClass` samples (all when 0). Throws a DatasetError when the classes do not
 * divide into `tasks` equal tasks, the class order is not a permutation of them, or a class has fewer samples
 * than asked.
 */
export function splitBenchmark(
  name: string,
  train: ImageSet,
  test: ImageSet,
  o: BenchmarkSplitOptions,
): BenchmarkData {
  const numClasses = train.classNames.length;
  if (numClasses < o.tasks || numClasses % o.tasks !== 0) {
    throw new DatasetError(
      `${name}: ${numClasses} classes cannot be split into ${o.tasks} tasks of equal size`,
    );
  }
  const split = classIncrementalSplit(
    { train, test },
    { tasks: o.tasks, seed: o.seed, classOrder: o.classOrder ?? 'seeded' },
  );
  const tasks = split.tasks.map((t) => ({
    index: t.index,
    classes: [...t.classes],
    train: subsamplePerClass(train.labels, t.train.indices, o.trainPerClass, o.seed, `${name} train`),
    test: subsamplePerClass(test.labels, t.test.indices, o.testPerClass, o.seed + 1, `${name} test`),
  }));
  return { name, train, test, tasks, taskOfClass: split.taskOfClass, numClasses };
}

/** Float32 NCHW pixels of the given samples, preprocessed for the backbone. */
export function imageBatch(set: ImageSet, indices: ArrayLike<number>, p: Preprocess): Float32Array {
  const per = p.channels * p.size * p.size;
  const out = new Float32Array(indices.length * per);
  for (let k = 0; k < indices.length; k++) {
    let img = toFloatImage(set, indices[k] as number);
    if (img.height !== p.size || img.width !== p.size) img = resize(img, p.size, p.size);
    if (img.channels !== p.channels) {
      if (img.channels !== 1)
        throw new DatasetError(`cannot turn ${img.channels}-channel images into ${p.channels} channels`);
      img = repeatChannels(img, p.channels);
    }
    img = normalize(img, p.mean, p.std);
    out.set(img.data, k * per);
  }
  return out;
}

/** The labels of the samples `indices` of `set`, as an Int32Array. */
export function labelsOf(set: ImageSet, indices: ArrayLike<number>): Int32Array {
  return Int32Array.from(indices, (i) => set.labels[i] as number);
}
