/**
 * One method, one seed, over the whole task sequence: train task by task, evaluate every seen task after each,
 * checkpoint atomically after each task, and resume from the last checkpoint after an interruption.
 */
import type { Backbone } from './backbone.js';
import type { MethodSpec, RunConfig } from './config.js';
import type { BenchmarkData } from './data.js';
import { Learner, type LearnerState } from './learner.js';
import {
  type AccuracyMatrix,
  accuracy,
  continualMetrics,
  emptyAccuracyMatrix,
  finalAverageAccuracy,
} from './metrics.js';
import type { MethodRun } from './results.js';
import type { RunDir } from './rundir.js';
import type { StepReport } from './tii.js';
import { type TiiStage, testUpTo } from './tii-stage.js';

export interface MethodCheckpoint {
  method: string;
  seed: number;
  tasksDone: number;
  acc: AccuracyMatrix;
  wallSeconds: number;
  learner: LearnerState;
}

/** Test images per task used for the prefix attention-mass plot. */
export const MASS_SAMPLES = 32;

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

export function methodUnits(data: BenchmarkData, cfg: Pick<RunConfig, 'epochs'>, method: MethodSpec): number {
  let n = data.tasks.length * Math.min(MASS_SAMPLES, data.tasks[0]?.test.length ?? 0);
  for (let t = 0; t < data.tasks.length; t++) n += taskUnits(data, cfg, method, t);
  return n;
}

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
  report: (task: number) => StepReport;
  log: (message: string) => void;
}

export async function runMethod(ctx: MethodContext): Promise<MethodRun> {
  const { data, cfg, method, seed, runDir } = ctx;
  const done = runDir.loadResult<MethodRun>(method.name, seed);
  if (done) {
    ctx.log(`[${method.name} seed ${seed}] finished earlier: ${runDir.resultPath(method.name, seed)}`);
    ctx.onSkipped(methodUnits(data, cfg, method));
    return done;
  }
  const T = data.tasks.length;
  const learner = new Learner(method, cfg, ctx.backbone, data.numClasses, seed);
  try {
    let acc = emptyAccuracyMatrix(T);
    let start = 0;
    let wall = 0;
    const ckpt = runDir.loadCheckpoint<MethodCheckpoint>(method.name, seed);
    if (ckpt) {
      learner.load(ckpt.learner);
      acc = ckpt.acc;
      start = ckpt.tasksDone;
      wall = ckpt.wallSeconds;
      for (let t = 0; t < start; t++) ctx.onSkipped(taskUnits(data, cfg, method, t));
      ctx.log(
        `[${method.name} seed ${seed}] resuming after task ${start} of ${T} (${runDir.checkpointPath(method.name, seed)})`,
      );
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
        await evaluateSeen(ctx, learner, t, seen, acc);
      } else if (t === T - 1) {
        const all = Int32Array.from(data.tasks.flatMap((k) => Array.from(k.train)));
        await learner.trainTask(0, data.train, all, seen, seen, wrapReport(ctx, t, cfg.batchSize));
        await evaluateSeen(ctx, learner, t, seen, acc);
      }
      wall += (performance.now() - t0) / 1000;
      runDir.saveCheckpoint<MethodCheckpoint>(method.name, seed, {
        method: method.name,
        seed,
        tasksDone: t + 1,
        acc,
        wallSeconds: wall,
        learner: await learner.state(),
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
      const sample = task.test.subarray(0, MASS_SAMPLES);
      prefixMass.push(await learner.prefixMass(data.test, sample, task.index));
      ctx.onUnits(sample.length);
    }
    wall += (performance.now() - t0) / 1000;
    const metrics =
      method.pipeline === 'joint'
        ? { faa: finalAverageAccuracy(acc), caa: Number.NaN, ffm: Number.NaN }
        : continualMetrics(acc);
    const tiiAcc =
      method.pipeline === 'hide' && ctx.tii ? ctx.tii.accuracy : data.tasks.map(() => Number.NaN);
    const run: MethodRun = {
      method: method.name,
      seed,
      acc,
      metrics,
      tii: tiiAcc,
      prefixMass,
      wallSeconds: wall,
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

/** Fills column t of acc: each seen task's test accuracy, every sample with the prefix of its inferred task. */
async function evaluateSeen(
  ctx: MethodContext,
  learner: Learner,
  t: number,
  seen: readonly number[],
  acc: AccuracyMatrix,
): Promise<void> {
  const { data } = ctx;
  const indices = testUpTo(data, t);
  let taskIds = new Int32Array(indices.length);
  if (ctx.method.pipeline === 'hide') {
    const preds = ctx.tii?.preds[t];
    if (!preds || preds.length !== indices.length)
      throw new Error(`task-identity predictions for step ${t} are missing`);
    taskIds = Int32Array.from(preds, (c) => data.taskOfClass[c] as number);
  }
  const predicted = await learner.predict(data.test, indices, taskIds, seen);
  ctx.onUnits(indices.length);
  let at = 0;
  for (let i = 0; i <= t; i++) {
    const test = (data.tasks[i] as BenchmarkData['tasks'][number]).test;
    const labels = Int32Array.from(test, (k) => data.test.labels[k] as number);
    (acc[i] as number[])[t] = accuracy(predicted.subarray(at, at + test.length), labels);
    at += test.length;
  }
}
