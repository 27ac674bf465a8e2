/**
 * The accuracy matrix's column after task t (a[i][t] for every seen task i), the one evaluation of a continual run,
 * shared by `norga run` (method-run.ts) and the browser worker, and the prefix attention mass of a task. No file
 * system: part of the browser entry.
 */
import type { BenchmarkData } from './benchmark-data.js';
import type { MethodSpec } from './config.js';
import type { ContinualLearner } from './continual-learner.js';
import { type AccuracyMatrix, accuracy } from './metrics.js';
import { testUpTo } from './tii-stage.js';

/**
 * Fills column `t` of `acc`: each seen task's test accuracy, every test image classified over the `seen` classes
 * with the prefix of the task its predicted class belongs to (`tiiPreds`, the TII stage's predictions after task t,
 * in testUpTo order; HiDe pipeline) or with the one prefix (the single-prefix pipelines, which ignore `tiiPreds`).
 * Returns how many test images it classified. Throws when a HiDe method has no predictions of the right length.
 */
export async function evaluateSeen(
  learner: ContinualLearner,
  data: BenchmarkData,
  method: MethodSpec,
  tiiPreds: Int32Array | undefined,
  t: number,
  seen: readonly number[],
  acc: AccuracyMatrix,
): Promise<number> {
  const indices = testUpTo(data, t);
  let taskIds = new Int32Array(indices.length);
  if (method.pipeline === 'hide') {
    if (!tiiPreds || tiiPreds.length !== indices.length)
      throw new Error(`task-identity predictions for step ${t} are missing`);
    taskIds = Int32Array.from(tiiPreds, (c) => data.taskOfClass[c] as number);
  }
  const predicted = await learner.predict(data.test, indices, taskIds, seen);
  let at = 0;
  for (let i = 0; i <= t; i++) {
    const test = (data.tasks[i] as BenchmarkData['tasks'][number]).test;
    const labels = Int32Array.from(test, (k) => data.test.labels[k] as number);
    (acc[i] as number[])[t] = accuracy(predicted.subarray(at, at + test.length), labels);
    at += test.length;
  }
  return indices.length;
}

/** Test images per task used for the prefix attention mass (the plot of `norga run`, the page's chart). */
export const MASS_SAMPLES = 32;

/**
 * The prefix attention mass per prompted layer (Learner.prefixMass) of task `t`'s prefix on the first
 * MASS_SAMPLES of task `t`'s test images, and how many images that was.
 */
export async function taskPrefixMass(
  learner: ContinualLearner,
  data: BenchmarkData,
  t: number,
): Promise<{ mass: number[]; samples: number }> {
  const task = data.tasks[t];
  if (!task) throw new RangeError(`taskPrefixMass: task ${t} is not one of the ${data.tasks.length} tasks`);
  const sample = task.test.subarray(0, MASS_SAMPLES);
  return { mass: await learner.prefixMass(data.test, sample, t), samples: sample.length };
}
