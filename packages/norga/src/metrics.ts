/**
 * Continual-learning metrics over an accuracy matrix.
 *
 * `acc[i][t]` is task i's test accuracy (a fraction in [0, 1]) measured right after training task t; entries with
 * i > t (tasks not yet seen) are NaN. `T` below is the number of tasks trained so far, so the last column is T - 1.
 */

/** acc[i][t]: accuracy (a fraction) on task i's test samples after training task t; NaN where i > t. */
export type AccuracyMatrix = number[][];

/** A numTasks × numTasks matrix of NaN, filled in as tasks finish. */
export function emptyAccuracyMatrix(numTasks: number): AccuracyMatrix {
  return Array.from({ length: numTasks }, () => new Array<number>(numTasks).fill(Number.NaN));
}

function entry(acc: AccuracyMatrix, i: number, t: number): number {
  const v = acc[i]?.[t];
  if (v === undefined || !Number.isFinite(v)) {
    throw new RangeError(`accuracy matrix: a[${i}][${t}] is missing (tasks trained: ${t + 1})`);
  }
  return v;
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Final average accuracy: mean_i a[i][T-1] over the T tasks trained. */
export function finalAverageAccuracy(acc: AccuracyMatrix, T = acc.length): number {
  if (T < 1) throw new RangeError('FAA needs at least one trained task');
  return mean(Array.from({ length: T }, (_, i) => entry(acc, i, T - 1)));
}

/** Cumulative average accuracy: mean_t (mean_{i<=t} a[i][t]). */
export function cumulativeAverageAccuracy(acc: AccuracyMatrix, T = acc.length): number {
  if (T < 1) throw new RangeError('CAA needs at least one trained task');
  const perStep = Array.from({ length: T }, (_, t) =>
    mean(Array.from({ length: t + 1 }, (_, i) => entry(acc, i, t))),
  );
  return mean(perStep);
}

/**
 * Final forgetting measure: mean over old tasks i < T-1 of (max_{i<=t<T-1} a[i][t] − a[i][T-1]).
 * With one task there is nothing to forget yet: NaN, which the writers print as "—".
 */
export function finalForgettingMeasure(acc: AccuracyMatrix, T = acc.length): number {
  if (T < 2) return Number.NaN;
  const drops = Array.from({ length: T - 1 }, (_, i) => {
    let best = Number.NEGATIVE_INFINITY;
    for (let t = i; t < T - 1; t++) best = Math.max(best, entry(acc, i, t));
    return best - entry(acc, i, T - 1);
  });
  return mean(drops);
}

/** The three continual-learning metrics of one accuracy matrix, as fractions. */
export interface Metrics {
  /** Final average accuracy. */
  faa: number;
  /** Cumulative average accuracy. */
  caa: number;
  /** Final forgetting measure (lower is better; NaN with one task). */
  ffm: number;
}

/** FAA, CAA and FFM of `acc` after its first T tasks. */
export function continualMetrics(acc: AccuracyMatrix, T = acc.length): Metrics {
  return {
    faa: finalAverageAccuracy(acc, T),
    caa: cumulativeAverageAccuracy(acc, T),
    ffm: finalForgettingMeasure(acc, T),
  };
}

/** Fraction of predictions equal to the labels. */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length) {
    throw new RangeError(`accuracy: ${predicted.length} predictions for ${labels.length} labels`);
  }
  if (labels.length === 0) return Number.NaN;
  let hit = 0;
  for (let k = 0; k < labels.length; k++) if (predicted[k] === labels[k]) hit++;
  return hit / labels.length;
}

/**
 * Task-identity inference accuracy: the predicted class's task equals the true class's task.
 * `taskOfClass[c]` is the task that class c belongs to.
 */
export function taskIdentityAccuracy(
  predictedClass: ArrayLike<number>,
  labels: ArrayLike<number>,
  taskOfClass: ArrayLike<number>,
): number {
  const predTask = Array.from(predictedClass, (c) => taskOfClass[c] ?? -1);
  const trueTask = Array.from(labels, (c) => taskOfClass[c] ?? -2);
  return accuracy(predTask, trueTask);
}

/** A summary over seeds. */
export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n − 1). */
  std: number;
  /** How many finite values it summarises. */
  n: number;
}

/** Mean and sample standard deviation (n - 1; 0 for a single value), ignoring NaN. */
export function meanStd(values: number[]): MeanStd {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const m = mean(xs);
  const ss = xs.reduce((s, x) => s + (x - m) ** 2, 0);
  return { mean: m, std: xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0, n: xs.length };
}
