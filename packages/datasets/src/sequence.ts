import { DatasetError } from './errors.js';
import { type ClassIncrementalSplit, holdOutValidation, type Task } from './split.js';
import type { Dataset } from './types.js';
import { allOf } from './types.js';

/**
 * Data-set-incremental sequences (the paper's 5-Datasets protocol: SVHN, MNIST, CIFAR-10, notMNIST,
 * Fashion-MNIST): task t is the whole of data set t, and its classes get the next block of global ids
 * (labelOffset). Images of different data sets differ in shape; give the loader a transform that brings
 * them to one (e.g. repeatChannels(3) then resize(32)).
 */
export interface SequenceOptions {
  /** Fraction of each class's training samples held out as the task's validation subset (default 0). */
  readonly validationFraction?: number;
  /** Seed of that hold-out (default 0). */
  readonly seed?: number;
}

/** A data-set-incremental sequence: a ClassIncrementalSplit whose task t is data set t. */
export interface DatasetSequence extends ClassIncrementalSplit {
  /** Global class names, prefixed by their data set: 'mnist/7', 'fashion-mnist/Bag', ... */
  readonly classNames: readonly string[];
}

/**
 * One task per data set, in the order given; data set t's classes become the global ids after those of the
 * data sets before it.
 *
 * @throws DatasetError when no data set is given, or one's train and test have different class counts.
 */
export function datasetIncrementalSplit(
  datasets: readonly Dataset[],
  options: SequenceOptions = {},
): DatasetSequence {
  if (datasets.length === 0) throw new DatasetError('datasetIncrementalSplit: no data sets given');
  const vf = options.validationFraction ?? 0;
  const seed = options.seed ?? 0;
  const tasks: Task[] = [];
  const classNames: string[] = [];
  const taskOf: number[] = [];
  datasets.forEach((ds, t) => {
    const k = ds.train.classNames.length;
    if (ds.test.classNames.length !== k) {
      throw new DatasetError(`${ds.name}: train has ${k} classes but test has ${ds.test.classNames.length}`);
    }
    const labelOffset = classNames.length;
    const classes = Array.from({ length: k }, (_, c) => labelOffset + c);
    for (const name of ds.train.classNames) {
      classNames.push(`${ds.name}/${name}`);
      taskOf.push(t);
    }
    const test = { ...allOf(ds.test), labelOffset };
    const train = { ...allOf(ds.train), labelOffset };
    tasks.push({ index: t, classes, ...holdOutValidation(train, vf, seed, t), test });
  });
  return {
    classOrder: classNames.map((_, c) => c),
    tasks,
    taskOfClass: Int32Array.from(taskOf),
    classNames,
  };
}
