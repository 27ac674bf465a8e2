/**
 * One method, one seed, over the whole task sequence: train task by task, evaluate every seen task after each,
 * checkpoint atomically after each task, and resume from the last checkpoint after an interruption.
 */
import { CorruptFileError } from './atomic.js';
import type { Backbone } from './backbone.js';
import type { MethodSpec, RunConfig } from './config.js';
import type { ContinualLearner, TrueTaskEvaluator } from './continual-learner.js';
import type { BenchmarkData } from './data.js';
import { labelsOf } from './data.js';
import { evaluateSeen, MASS_SAMPLES, taskPrefixMass } from './evaluate.js';
import { createLearner } from './learners.js';
import {
  type AccuracyMatrix,
  accuracy,
  continualMetrics,
  emptyAccuracyMatrix,
  finalAverageAccuracy,
} from './metrics.js';
import type { MethodRun } from './results.js';
import type { RunDir } from './rundir.js';
import { checkCheckpoint, checkResult } from './state-checks.js';
import { type TiiStage, testUpTo } from './tii-stage.js';
import type { StepReport } from './train-loop.js';

/** One (method, seed)'s checkpoint after `tasksDone` tasks: its accuracy matrix so far and its learner. */
export interface MethodCheckpoint {
  method: string;
  seed: number;
  tasksDone: number;
  acc: AccuracyMatrix;
  wallSeconds: number;
  /** The learner's state() (learner.ts's LearnerState for the HiDe family). */
  learner: object;
  /** Its own task-identity accuracy after each task so far, for a method that infers tasks itself (inferTasks). */
  ownTii?: number[];
}

/** Work units (images through the backbone; a training image counts 3) of training and evaluating task t. */
export function taskUnits(
  data: BenchmarkData,
  cfg: Pick<RunConfig, 'epochs'>,
  method: MethodSpec,
  t: number,
): number {
  const task = data.tasks[t];
  if (!task) return 0;
  const testSeen = testUpTo(data, t).length;
  if (method.pipeline === 'joint') {
    // Trains once, on everything, at the last task.
    if (t < data.tasks.length - 1) return 0;
    const all = data.tasks.reduce((n, k) => n + k.train.length, 0);
    return 3 * cfg.epochs * all + testSeen;
  }
  const stats = method.pipeline === 'hide' ? task.train.length : 0;
  return 3 * cfg.epochs * task.train.length + stats + testSeen;
}

/** Work units (for the ETA) of one method and seed over `data`: training steps, evaluation, plot samples. */
export function methodUnits(data: BenchmarkData, cfg: Pick<RunConfig, 'epochs'>, method: MethodSpec): number {
  let n = data.tasks.length * Math.min(MASS_SAMPLES, data.tasks[0]?.test.length ?? 0);
  n += testUpTo(data, data.tasks.length - 1).length; // the true-task evaluation
  for (let t = 0; t < data.tasks.length; t++) n += taskUnits(data, cfg, method, t);
  return n;
}

/** What runMethod needs: the shared backbone, data, configuration, TII stage, run directory and reporting. */
export interface MethodContext {
  backbone: Backbone;
  data: BenchmarkData;
  cfg: RunConfig;
  method: MethodSpec;
  seed: number;
  tii: TiiStage | undefined;
  runDir: RunDir;
  /** Progress: `units` of work done, with a step's loss report. */
  onUnits: (units: number) => void;
  /** Work finished by an earlier, interrupted run (taken off the ETA's total). */
  onSkipped: (units: number) => void;
  /** The step reporter of task `task` (the progress line). */
  report: (task: number) => StepReport;
  /** Prints a line (resume notices). */
  log: (message: string) => void;
}

/**
 * Runs one method for one seed over every task (resuming from its checkpoint, or returning its finished result),
 * checkpointing after each task, and returns its metrics, accuracy matrix, gates and prefix attention mass.
 */
export async function runMethod(ctx: MethodContext): Promise<MethodRun> {
  const { data, cfg, method, seed, runDir } = ctx;
  const T = data.tasks.length;
  const owner = { method: method.name, seed, tasks: T };
  const saved = runDir.loadResult<unknown>(method.name, seed);
  const done =
    saved === undefined ? undefined : checkResult(runDir.resultPath(method.name, seed), saved, owner);
  if (done) {
    ctx.log(`[${method.name} seed ${seed}] finished earlier: ${runDir.resultPath(method.name, seed)}`);
    ctx.onSkipped(methodUnits(data, cfg, method));
    return done;
  }
  const learner = createLearner(method, cfg, ctx.backbone, data.numClasses, seed);
  try {
    let acc = emptyAccuracyMatrix(T);
    let start = 0;
    let wall = 0;
    // A method's own task inference (DualPrompt's key matching), measured after each task; NaN where not.
    let ownTii = data.tasks.map(() => Number.NaN);
    const ckptPath = runDir.checkpointPath(method.name, seed);
    const raw = runDir.loadCheckpoint<unknown>(method.name, seed);
    if (raw !== undefined) {
      const ckpt = checkCheckpoint(ckptPath, raw, owner);
      try {
        learner.load(ckpt.learner);
      } catch (err) {
        // Its only input is the file: prefixes, gate or head that do not fit this run's configuration.
        throw new CorruptFileError(
          ckptPath,
          `learner: ${(err as Error).message}; delete the file to recompute that part`,
        );
      }
      acc = ckpt.acc;
      if (ckpt.ownTii) ownTii = ckpt.ownTii;
      start = ckpt.tasksDone;
      wall = ckpt.wallSeconds;
      for (let t = 0; t < start; t++) ctx.onSkipped(taskUnits(data, cfg, method, t));
      ctx.log(`[${method.name} seed ${seed}] resuming after task ${start} of ${T} (${ckptPath})`);
    }
    const seen = data.tasks.slice(0, start).flatMap((t) => t.classes);
    for (let t = start; t < T; t++) {
      const t0 = performance.now();
      const task = data.tasks[t] as BenchmarkData['tasks'][number];
      seen.push(...task.classes);
      if (method.pipeline !== 'joint') {
        await learner.trainTask(
          t,
          data.train,
          task.train,
          task.classes,
          seen,
          wrapReport(ctx, t, cfg.batchSize),
        );
        if (method.pipeline === 'hide') ctx.onUnits(task.train.length);
        ctx.onUnits(await evaluateSeen(learner, ctx.data, ctx.method, ctx.tii?.preds[t], t, seen, acc));
        if (learner.inferTasks) ownTii[t] = await ownTaskIdentityAccuracy(learner, data, t);
      } else if (t === T - 1) {
        // The upper bound: one prefix and head on every task's data, with as many optimiser steps as the
        // continual methods take over the whole sequence.
        const all = Int32Array.from(data.tasks.flatMap((k) => Array.from(k.train)));
        const budget = data.tasks.reduce(
          (n, k) => n + cfg.epochs * Math.ceil(k.train.length / cfg.batchSize),
          0,
        );
        await learner.trainTask(0, data.train, all, seen, seen, wrapReport(ctx, t, cfg.batchSize), budget);
        ctx.onUnits(await evaluateSeen(learner, ctx.data, ctx.method, ctx.tii?.preds[t], t, seen, acc));
      }
      wall += (performance.now() - t0) / 1000;
      runDir.saveCheckpoint<MethodCheckpoint>(method.name, seed, {
        method: method.name,
        seed,
        tasksDone: t + 1,
        acc,
        wallSeconds: wall,
        learner: await learner.state(),
        ...(learner.inferTasks ? { ownTii } : {}),
      });
      if (method.pipeline !== 'joint' || t === T - 1) {
        const row = acc
          .map((r) => r[t])
          .slice(0, t + 1)
          .map((a) => ((a as number) * 100).toFixed(1));
        ctx.log(
          `[${method.name} seed ${seed}] after task ${t + 1}/${T}: accuracy per task ${row.join(' / ')} %`,
        );
      }
    }
    const t0 = performance.now();
    const prefixMass: number[][] = [];
    for (const task of data.tasks) {
      const { mass, samples } = await taskPrefixMass(learner, data, task.index);
      prefixMass.push(mass);
      ctx.onUnits(samples);
    }
    const trueTask = await trueTaskMetrics(data, learner.trueTask());
    ctx.onUnits(testUpTo(data, T - 1).length);
    wall += (performance.now() - t0) / 1000;
    const metrics = {
      ...(method.pipeline === 'joint'
        ? { faa: finalAverageAccuracy(acc), caa: Number.NaN, ffm: Number.NaN }
        : continualMetrics(acc)),
      ...trueTask,
    };
    const tiiAcc = method.pipeline === 'hide' && ctx.tii ? ctx.tii.accuracy : ownTii;
    const run: MethodRun = {
      method: method.name,
      seed,
      acc,
      metrics,
      tii: tiiAcc,
      prefixMass,
      gate: await learner.gateValues(),
      wallSeconds: wall,
      trainableParameters: learner.trainableParameters(),
    };
    runDir.saveResult(method.name, seed, run);
    return run;
  } finally {
    learner.dispose();
  }
}

function wrapReport(ctx: MethodContext, task: number, batchSize: number): StepReport {
  const inner = ctx.report(task);
  return (phase, loss, step, steps, epoch, epochs, batch) => {
    // A training step over a batch costs about three forward passes of it; alignment steps on features ~0.
    if (phase === 'wtp') ctx.onUnits(3 * (batch ?? batchSize));
    inner(phase, loss, step, steps, epoch, epochs);
  };
}

/** The accuracy of a method's own task inference over the test samples of tasks 0..t (the TII column). */
async function ownTaskIdentityAccuracy(
  learner: ContinualLearner,
  data: BenchmarkData,
  t: number,
): Promise<number> {
  const indices = testUpTo(data, t);
  const tasks = await (learner.inferTasks as NonNullable<ContinualLearner['inferTasks']>)(data.test, indices);
  let right = 0;
  tasks.forEach((task, k) => {
    if (task === data.taskOfClass[data.test.labels[indices[k] as number] as number]) right++;
  });
  return right / Math.max(1, indices.length);
}

/**
 * The metrics that take task-identity inference out, after the last task, each the mean over tasks of a task's
 * test accuracy with its *true* task's prefix:
 *   oracleFaa  argmax over every class seen (what FAA would be with a perfect TII);
 *   taskIlFaa  argmax over the task's own classes (task-incremental accuracy).
 * For the single-prefix pipelines the prefix does not depend on the task, so oracleFaa equals FAA. Without an
 * evaluator (a method with no per-task prompt) both are not applicable: NaN.
 */
export async function trueTaskMetrics(
  data: BenchmarkData,
  learner: TrueTaskEvaluator | undefined,
): Promise<{ oracleFaa: number; taskIlFaa: number }> {
  if (!learner) return { oracleFaa: Number.NaN, taskIlFaa: Number.NaN };
  const indices = testUpTo(data, data.tasks.length - 1);
  const truth = Int32Array.from(indices, (i) => data.taskOfClass[data.test.labels[i] as number] as number);
  const feats = await learner.features(data.test, indices, truth);
  const dim = feats.length / Math.max(1, indices.length);
  const allClasses = data.tasks.flatMap((t) => t.classes);
  const overAll = await learner.classify(feats, allClasses);
  let oracle = 0;
  let taskIl = 0;
  let at = 0;
  for (const task of data.tasks) {
    const n = task.test.length;
    const labels = labelsOf(data.test, task.test);
    oracle += accuracy(overAll.subarray(at, at + n), labels);
    taskIl += accuracy(
      await learner.classify(feats.subarray(at * dim, (at + n) * dim), task.classes),
      labels,
    );
    at += n;
  }
  return { oracleFaa: oracle / data.tasks.length, taskIlFaa: taskIl / data.tasks.length };
}
