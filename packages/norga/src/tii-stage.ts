/**
 * The task-identity stage of one seed, shared by every HiDe-pipeline method of that seed: it depends only on
 * the backbone, the data and the seed, so prefix tuning and each NoRGa variant use literally the same task
 * predictions, and it is computed (and checkpointed) once.
 */

import type { Backbone } from './backbone.js';
import type { RunConfig } from './config.js';
import type { BenchmarkData } from './data.js';
import { extractFeatures } from './features.js';
import { EVAL_BATCH } from './learner.js';
import { taskIdentityAccuracy } from './metrics.js';
import { mixSeeds, Rng } from './rng.js';
import { encodeArray } from './state.js';
import { TaskIdentity } from './tii.js';
import type { StepReport } from './train-loop.js';

/** The task-identity stage's output for one seed. */
export interface TiiStage {
  /** preds[t]: the predicted class of every test sample of tasks 0..t, in testUpTo(data, t) order. */
  preds: Int32Array[];
  /** TII accuracy over the test samples of tasks 0..t, after task t. */
  accuracy: number[];
}

/** The stage as saved in tii/seed-S.json (read back, and checked, by checkTiiStage in state-checks.ts). */
export function tiiToJson(s: TiiStage): {
  preds: { kind: 'f32' | 'i32'; base64: string }[];
  accuracy: number[];
} {
  return { preds: s.preds.map(encodeArray), accuracy: s.accuracy };
}

/** The test samples of tasks 0..t, task by task. */
export function testUpTo(data: BenchmarkData, t: number): Int32Array {
  const parts = data.tasks.slice(0, t + 1).map((task) => task.test);
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Work units of the stage: one per image through the backbone (for the ETA). */
export function tiiStageUnits(data: BenchmarkData): number {
  return data.tasks.reduce((n, t) => n + t.train.length + t.test.length, 0);
}

/** The run settings the TII stage uses. */
export type TiiConfig = Pick<
  RunConfig,
  'tiiEpochs' | 'tiiLr' | 'batchSize' | 'clipGrad' | 'caEpochs' | 'tiiCaLr' | 'tiiCaSamplesPerClass'
>;

/**
 * Trains the task-identity network task after task on the prefix-free features and predicts every test
 * sample's class after each task. `onUnits` counts feature work for the ETA; `report(task)` reports steps.
 */
export async function runTiiStage(
  backbone: Backbone,
  data: BenchmarkData,
  cfg: TiiConfig,
  seed: number,
  onUnits: (units: number, phase: string, task: number) => void,
  report: (task: number) => StepReport,
): Promise<TiiStage> {
  const D = backbone.dim;
  const tii = new TaskIdentity(D, data.numClasses, seed);
  const allTest = testUpTo(data, data.tasks.length - 1);
  let last = 0;
  const testFeats = await extractFeatures(backbone, data.test, allTest, EVAL_BATCH, undefined, (done) => {
    onUnits(done - last, 'tii-features', 0);
    last = done;
  });
  const preds: Int32Array[] = [];
  const accuracy: number[] = [];
  const seen: number[] = [];
  const o = {
    epochs: cfg.tiiEpochs,
    lr: cfg.tiiLr,
    batchSize: cfg.batchSize,
    clipGrad: cfg.clipGrad,
    caEpochs: cfg.caEpochs,
    caLr: cfg.tiiCaLr,
    caSamplesPerClass: cfg.tiiCaSamplesPerClass,
  };
  let nTest = 0;
  try {
    for (const task of data.tasks) {
      last = 0;
      const feats = await extractFeatures(backbone, data.train, task.train, EVAL_BATCH, undefined, (done) => {
        onUnits(done - last, 'tii-features', task.index);
        last = done;
      });
      const labels = Int32Array.from(task.train, (i) => data.train.labels[i] as number);
      seen.push(...task.classes);
      await tii.learnTask(
        task.index,
        feats,
        labels,
        task.classes,
        seen,
        o,
        new Rng(mixSeeds(seed, task.index, 0x7e11)),
        report(task.index),
      );
      nTest += task.test.length;
      const p = await tii.predictClasses(testFeats.subarray(0, nTest * D), seen);
      preds.push(p);
      const truth = Int32Array.from(allTest.subarray(0, nTest), (i) => data.test.labels[i] as number);
      accuracy.push(taskIdentityAccuracy(p, truth, data.taskOfClass));
    }
  } finally {
    tii.net.dispose();
  }
  return { preds, accuracy };
}
