import { DatasetError } from './errors.js';
import { createRng, shuffleInPlace } from './rng.js';
import { stratifiedSplit } from './select.js';
import type { Dataset, ImageSet, Subset } from './types.js';

/**
 * Class-incremental splits (the protocol of L2P / DualPrompt / HiDe-Prompt / NoRGa): the classes are put in
 * an order, cut into T tasks of equal class count, and each task sees only its classes' samples. Labels stay
 * the global class ids. Tasks hold index arrays into the one train and one test ImageSet: no pixels are copied.
 */
export interface SplitOptions {
  /** Number of tasks T; the class count must be a multiple of T. */
  readonly tasks: number;
  /** Seed for the class order and the validation hold-out (default 0). */
  readonly seed?: number;
  /**
   * 'seeded' (default): a Fisher-Yates shuffle of 0..K-1 by `seed`. 'natural': 0, 1, ..., K-1 -- the order the
   * official L2P/DualPrompt/HiDe-Prompt code uses unless its --shuffle flag is set. Or an explicit order, a
   * permutation of 0..K-1.
   */
  readonly classOrder?: 'seeded' | 'natural' | readonly number[];
  /** Fraction of each class's training samples held out as the task's validation subset (default 0: none). */
  readonly validationFraction?: number;
}

/** One task of a split: its classes and the train, test (and validation) samples of those classes. */
export interface Task {
  /** 0-based position of the task in the sequence. */
  readonly index: number;
  /** The task's global class ids, in class order. */
  readonly classes: readonly number[];
  /** The task's training samples (less the validation hold-out). */
  readonly train: Subset;
  /** The task's test samples. */
  readonly test: Subset;
  /** Present when validationFraction > 0; disjoint from `train`. */
  readonly validation?: Subset;
}

/** A continual-learning sequence: the class order and the tasks cut from it. */
export interface ClassIncrementalSplit {
  /** Every class id once, in the order the tasks take them. */
  readonly classOrder: readonly number[];
  /** The tasks, in sequence. */
  readonly tasks: readonly Task[];
  /** taskOfClass[c] = index of the task that holds class c. */
  readonly taskOfClass: Int32Array;
}

/**
 * Cuts a data set into `options.tasks` tasks of equal class count, in the class order of `options.classOrder`.
 *
 * @throws DatasetError when train and test have different class counts, the class count is not a multiple of
 * the task count, or an explicit class order is not a permutation of the class ids.
 */
export function classIncrementalSplit(
  data: Pick<Dataset, 'train' | 'test'>,
  options: SplitOptions,
): ClassIncrementalSplit {
  const numClasses = data.train.classNames.length;
  if (data.test.classNames.length !== numClasses) {
    throw new DatasetError(
      `train has ${numClasses} classes but test has ${data.test.classNames.length}; they must share classes`,
    );
  }
  const T = options.tasks;
  if (!Number.isInteger(T) || T < 1 || numClasses % T !== 0) {
    throw new DatasetError(`cannot split ${numClasses} classes into ${T} tasks of equal class count`);
  }
  const seed = options.seed ?? 0;
  const order = resolveClassOrder(numClasses, options.classOrder ?? 'seeded', seed);
  const perTask = numClasses / T;
  const taskOfClass = new Int32Array(numClasses);
  order.forEach((c, pos) => {
    taskOfClass[c] = Math.floor(pos / perTask);
  });

  const trainByTask = indicesByTask(data.train, taskOfClass, T);
  const testByTask = indicesByTask(data.test, taskOfClass, T);
  const vf = options.validationFraction ?? 0;
  const tasks: Task[] = [];
  for (let t = 0; t < T; t++) {
    const classes = order.slice(t * perTask, (t + 1) * perTask);
    const test: Subset = { set: data.test, indices: testByTask[t]! };
    const train: Subset = { set: data.train, indices: trainByTask[t]! };
    tasks.push({ index: t, classes, ...holdOutValidation(train, vf, seed, t), test });
  }
  return { classOrder: order, tasks, taskOfClass };
}

/**
 * Task t's training subset, and with validationFraction > 0 its validation hold-out: a seeded per-class split
 * of the subset (labelOffset kept on both). Seeded per task, so one task's split does not depend on another's.
 */
export function holdOutValidation(
  train: Subset,
  validationFraction: number,
  seed: number,
  t: number,
): Pick<Task, 'train' | 'validation'> {
  if (!(validationFraction > 0)) return { train };
  const { kept, held } = stratifiedSplit(
    train.set.labels,
    train.indices,
    validationFraction,
    seed + 7919 * (t + 1),
  );
  return { train: { ...train, indices: kept }, validation: { ...train, indices: held } };
}

function resolveClassOrder(k: number, spec: NonNullable<SplitOptions['classOrder']>, seed: number): number[] {
  const natural = Array.from({ length: k }, (_, i) => i);
  if (spec === 'natural') return natural;
  if (spec === 'seeded') return shuffleInPlace(natural, createRng(seed));
  const seen = new Set(spec);
  if (spec.length !== k || seen.size !== k || !spec.every((c) => Number.isInteger(c) && c >= 0 && c < k)) {
    throw new DatasetError(`classOrder must be a permutation of 0..${k - 1}, got [${spec.join(', ')}]`);
  }
  return [...spec];
}

/** Ascending sample indices per task, in one counting pass over the labels. */
function indicesByTask(set: ImageSet, taskOfClass: Int32Array, T: number): Int32Array[] {
  const counts = new Int32Array(T);
  for (const l of set.labels) counts[taskOfClass[l]!]!++;
  const out = Array.from(counts, (n) => new Int32Array(n));
  const fill = new Int32Array(T);
  for (let i = 0; i < set.count; i++) {
    const t = taskOfClass[set.labels[i]!]!;
    out[t]![fill[t]!++] = i;
  }
  return out;
}

/** The union of tasks 0..t (inclusive) of one split kind, e.g. the test data seen so far. */
export function tasksUpTo(
  split: ClassIncrementalSplit,
  t: number,
  kind: 'train' | 'test' | 'validation',
): Subset {
  const last = split.tasks.length - 1;
  if (!Number.isInteger(t) || t < 0 || t > last) {
    throw new DatasetError(`tasksUpTo: task index ${t} is not in [0, ${last}]`);
  }
  const parts = split.tasks.slice(0, t + 1).map((task) => task[kind]);
  if (!parts.every((p): p is Subset => p !== undefined)) {
    throw new DatasetError(`tasksUpTo: no '${kind}' subsets for tasks 0..${t}`);
  }
  const first = parts[0]!;
  if (parts.some((p) => p.set !== first.set || (p.labelOffset ?? 0) !== (first.labelOffset ?? 0))) {
    // A data-set sequence: tasks live in different ImageSets, so there is no single index view of their union.
    throw new DatasetError(
      `tasksUpTo: tasks 0..${t} come from different data sets; iterate over the tasks instead`,
    );
  }
  const total = parts.reduce((n, p) => n + p.indices.length, 0);
  const indices = new Int32Array(total);
  let at = 0;
  for (const p of parts) {
    indices.set(p.indices, at);
    at += p.indices.length;
  }
  return { ...first, indices: indices.sort() };
}
