/**
 * What a state file of a run directory must hold to be resumed into the run at hand. Its checksum proves that a
 * file is what was written, not that it fits: one edited by hand with its checksum redone, copied from another
 * run or written by another version can hold a task count out of range or a tensor of the wrong length. Each is
 * refused here with the file and the field named (a CorruptFileError, exit 1), before anything is computed from it.
 */
import { CorruptFileError } from './atomic.js';
import type { BenchmarkData } from './data.js';
import type { MethodCheckpoint } from './method-run.js';
import type { MethodRun } from './results.js';
import { decodeArray } from './state.js';
import { type TiiStage, testUpTo } from './tii-stage.js';

/** Where a state file belongs: its method and seed, and the number of tasks of the run. */
export interface StateOwner {
  method: string;
  seed: number;
  tasks: number;
}

type Fields = Record<string, unknown>;

function fail(path: string, field: string, why: string): never {
  throw new CorruptFileError(path, `${field} ${why}; delete the file to recompute that part`);
}

const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));

function object(path: string, field: string, v: unknown): Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, field, 'is not a JSON object');
  return v as Fields;
}

function numbers(path: string, field: string, v: unknown, length: number): number[] {
  if (!Array.isArray(v) || v.length !== length || v.some((x) => typeof x !== 'number'))
    fail(path, field, `must be ${length} numbers, is ${show(v)}`);
  return v;
}

/** a[i][t]: T rows of T numbers (NaN where not measured). */
function matrix(path: string, field: string, v: unknown, T: number): number[][] {
  if (!Array.isArray(v) || v.length !== T)
    fail(path, field, `must be ${T} rows (one per task), is ${show(v)}`);
  return v.map((row, i) => numbers(path, `${field}[${i}]`, row, T));
}

function owner(path: string, f: Fields, o: StateOwner): void {
  if (f.method !== o.method)
    fail(path, 'method', `is ${show(f.method)}, but the file is where ${o.method}'s goes`);
  if (f.seed !== o.seed)
    fail(path, 'seed', `is ${show(f.seed)}, but the file is where seed ${o.seed}'s goes`);
}

function seconds(path: string, v: unknown): void {
  if (typeof v !== 'number' || !(v >= 0) || v === Number.POSITIVE_INFINITY)
    fail(path, 'wallSeconds', `is ${show(v)}, not a number of seconds`);
}

/** A checkpoint of `o` (checkpoint.json): owner, tasksDone in 1..T, the accuracy matrix, a learner state. */
export function checkCheckpoint(path: string, raw: unknown, o: StateOwner): MethodCheckpoint {
  const f = object(path, '(file)', raw);
  owner(path, f, o);
  const done = f.tasksDone;
  if (!Number.isSafeInteger(done) || (done as number) < 1 || (done as number) > o.tasks)
    fail(path, 'tasksDone', `is ${show(done)}, not a task count in 1..${o.tasks}`);
  matrix(path, 'acc', f.acc, o.tasks);
  seconds(path, f.wallSeconds);
  object(path, 'learner', f.learner);
  if (f.ownTii !== undefined) numbers(path, 'ownTii', f.ownTii, o.tasks);
  return f as unknown as MethodCheckpoint;
}

/** A finished method run of `o` (result.json): owner, matrices and per-task lists of the run's size. */
export function checkResult(path: string, raw: unknown, o: StateOwner): MethodRun {
  const f = object(path, '(file)', raw);
  owner(path, f, o);
  matrix(path, 'acc', f.acc, o.tasks);
  numbers(path, 'tii', f.tii, o.tasks);
  const metrics = object(path, 'metrics', f.metrics);
  for (const k of ['faa', 'caa', 'ffm', 'oracleFaa', 'taskIlFaa'])
    if (typeof metrics[k] !== 'number') fail(path, `metrics.${k}`, `is ${show(metrics[k])}, not a number`);
  if (!Array.isArray(f.prefixMass) || f.prefixMass.length !== o.tasks)
    fail(path, 'prefixMass', `must hold one list per task (${o.tasks})`);
  const gate = object(path, 'gate', f.gate);
  for (const [k, v] of Object.entries(gate))
    if (typeof v !== 'number') fail(path, `gate.${k}`, 'is not a number');
  seconds(path, f.wallSeconds);
  if (f.trainableParameters !== undefined && !Number.isSafeInteger(f.trainableParameters))
    fail(path, 'trainableParameters', `is ${show(f.trainableParameters)}, not a count`);
  return f as unknown as MethodRun;
}

/**
 * The task-identity stage of a seed (tii/seed-S.json), decoded: after task t, one predicted class in
 * 0..numClasses-1 per test sample of tasks 0..t, and the accuracy (a fraction) after each task.
 */
export function checkTiiStage(path: string, raw: unknown, data: BenchmarkData): TiiStage {
  const f = object(path, '(file)', raw);
  const T = data.tasks.length;
  if (!Array.isArray(f.preds) || f.preds.length !== T)
    fail(path, 'preds', `must hold one entry per task (${T}), is ${show(f.preds)}`);
  const preds = f.preds.map((p: unknown, t: number) => {
    const e = object(path, `preds[${t}]`, p);
    const n = testUpTo(data, t).length;
    let a: Float32Array | Int32Array | undefined;
    if (e.kind === 'i32' && typeof e.base64 === 'string')
      try {
        a = decodeArray(e as { kind: 'i32'; base64: string });
      } catch {
        // a byte count that is no multiple of 4
      }
    if (!(a instanceof Int32Array) || a.length !== n)
      fail(path, `preds[${t}]`, `must be ${n} int32 class ids (the test samples of tasks 1..${t + 1})`);
    const bad = a.findIndex((c) => c < 0 || c >= data.numClasses);
    if (bad >= 0) fail(path, `preds[${t}][${bad}]`, `is ${a[bad]}, not a class in 0..${data.numClasses - 1}`);
    return a;
  });
  const accuracy = numbers(path, 'accuracy', f.accuracy, T);
  const off = accuracy.findIndex((x) => !(x >= 0 && x <= 1));
  if (off >= 0) fail(path, `accuracy[${off}]`, `is ${show(accuracy[off])}, not a fraction`);
  return { preds, accuracy };
}
