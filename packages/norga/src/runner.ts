/**
 * A whole benchmark run, cut into units that each leave a file behind: a seed's task-identity stage (when a
 * HiDe-pipeline method is asked for; shared by those methods) and each method on each seed, with checkpoints.
 * runBenchmark runs the units in order, then writes the results table, JSON and plots; everything finished is
 * found again on `--resume` and not recomputed. A parallel run (run-units.ts) has child processes compute the
 * units first, each with a UnitRunner of its own, and runBenchmark then only collects their files.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readStateIfExists, writeStateAtomic } from './atomic.js';
import type { Backbone } from './backbone.js';
import { BENCHMARK_SPECS, METHOD_SPECS, type MethodName, type RunConfig } from './config.js';
import { type BenchmarkData, loadBenchmark } from './data.js';
import { methodUnits, runMethod } from './method-run.js';
import { Progress, type ProgressSink } from './progress.js';
import { type MethodRun, machineInfo, type RunSummary, writeResults } from './results.js';
import type { RunDir } from './rundir.js';
import { checkTiiStage } from './state-checks.js';
import { runTiiStage, type TiiStage, tiiStageUnits, tiiToJson } from './tii-stage.js';

/** A part of a run computed on its own: a seed's task-identity stage, or one method on one seed. */
export type RunUnit =
  | { readonly kind: 'tii'; readonly seed: number }
  | { readonly kind: 'method'; readonly seed: number; readonly method: MethodName };

/** What a UnitRunner reports progress to: a Progress, or (in a child process) its messages to the parent. */
export type ProgressReporter = Pick<Progress, 'step' | 'addDone' | 'skip' | 'log'>;

/** A reporter that reports nothing (reading finished units back). */
export const SILENT: ProgressReporter = { step() {}, addDone() {}, skip() {}, log() {} };

/** Whether the run's methods need the shared task-identity stage. */
export function needsTiiStage(cfg: Pick<RunConfig, 'methods'>): boolean {
  return cfg.methods.some((m) => METHOD_SPECS[m].pipeline === 'hide');
}

/** The units of a run, in the order one process runs them: per seed, its TII stage, then each method. */
export function runUnits(cfg: Pick<RunConfig, 'methods' | 'seeds'>): RunUnit[] {
  const tii = needsTiiStage(cfg);
  return cfg.seeds.flatMap((seed): RunUnit[] => [
    ...(tii ? [{ kind: 'tii', seed } as const] : []),
    ...cfg.methods.map((method) => ({ kind: 'method', seed, method }) as const),
  ]);
}

/** The file a finished unit leaves in the run directory. */
export function unitFile(runDir: RunDir, unit: RunUnit): string {
  return unit.kind === 'tii'
    ? join(runDir.dir, 'tii', `seed-${unit.seed}.json`)
    : runDir.resultPath(unit.method, unit.seed);
}

/** What a UnitRunner works with. */
export interface UnitContext {
  cfg: RunConfig;
  backbone: Backbone;
  runDir: RunDir;
  /** The data of one seed. */
  loadData: (seed: number) => BenchmarkData;
  progress: ProgressReporter;
  /** Prints a line (resume notices, stage ends). */
  log: (message: string) => void;
}

/**
 * Computes (or finds finished in the run directory) the units of one run: the same code whether one process runs
 * them all in order or child processes share them out.
 */
export class UnitRunner {
  private readonly datas = new Map<number, BenchmarkData>();

  constructor(private readonly c: UnitContext) {}

  /** The data of `seed`, loaded once. */
  data(seed: number): BenchmarkData {
    let d = this.datas.get(seed);
    if (!d) {
      d = this.c.loadData(seed);
      this.datas.set(seed, d);
    }
    return d;
  }

  /** Work units of `unit` (for the ETA). */
  units(unit: RunUnit): number {
    const data = this.data(unit.seed);
    return unit.kind === 'tii'
      ? tiiStageUnits(data)
      : methodUnits(data, this.c.cfg, METHOD_SPECS[unit.method]);
  }

  /** The task-identity stage of `seed`: read back if a run finished it, else computed and saved atomically. */
  async tii(seed: number): Promise<TiiStage> {
    const { cfg, runDir, progress, log } = this.c;
    const data = this.data(seed);
    const path = unitFile(runDir, { kind: 'tii', seed });
    const saved = readStateIfExists<unknown>(path);
    if (saved !== undefined) {
      progress.skip(tiiStageUnits(data));
      log(`[tii seed ${seed}] finished earlier: ${path}`);
      return checkTiiStage(path, saved, data);
    }
    const T = data.tasks.length;
    const line = (
      phase: string,
      task: number,
      epoch = 0,
      epochs = 0,
      step = 0,
      steps = 0,
      loss = Number.NaN,
    ) => ({
      label: `[${phase} seed ${seed}]`,
      task: task + 1,
      tasks: T,
      epoch,
      epochs,
      step,
      steps,
      loss,
    });
    const tii = await runTiiStage(
      this.c.backbone,
      data,
      cfg,
      seed,
      (units, phase, task) => progress.step(line(phase, task), units),
      (task) => (phase, loss, step, steps, epoch, epochs) =>
        progress.step(line(phase, task, epoch, epochs, step, steps, loss), 0),
    );
    writeStateAtomic(path, tiiToJson(tii));
    log(
      `[tii seed ${seed}] task-identity accuracy after each task: ${tii.accuracy.map((a) => (a * 100).toFixed(1)).join(' / ')} %`,
    );
    return tii;
  }

  /** One method on one seed (resumed from its checkpoint, or read back when finished). */
  async method(seed: number, name: MethodName, tii: TiiStage | undefined): Promise<MethodRun> {
    const { cfg, runDir, progress, log } = this.c;
    const data = this.data(seed);
    const method = METHOD_SPECS[name];
    const T = data.tasks.length;
    const label = `[${name} seed ${seed}]`;
    return runMethod({
      backbone: this.c.backbone,
      data,
      cfg,
      method,
      seed,
      tii,
      runDir,
      onUnits: (units) => progress.addDone(units),
      onSkipped: (units) => progress.skip(units),
      report: (task) => (phase, loss, step, steps, epoch, epochs) =>
        progress.step(
          { label: `${label} ${phase}`, task: task + 1, tasks: T, epoch, epochs, step, steps, loss },
          0,
        ),
      log,
    });
  }

  /** Runs `units` in order (each method after its seed's TII stage, which must come earlier in the list). */
  async runAll(units: readonly RunUnit[]): Promise<MethodRun[]> {
    const tiis = new Map<number, TiiStage>();
    const runs: MethodRun[] = [];
    for (const u of units) {
      if (u.kind === 'tii') tiis.set(u.seed, await this.tii(u.seed));
      else runs.push(await this.method(u.seed, u.method, tiis.get(u.seed)));
    }
    return runs;
  }
}

/**
 * Computes a run's unfinished units elsewhere (child processes: run-units.ts), reporting to `progress`; resolves
 * when every one of them has left its file in the run directory.
 */
export type UnitExecutor = (pending: RunUnit[], progress: ProgressReporter) => Promise<void>;

/** What runBenchmark runs: the configuration, the backbone, the run directory, and where it reports. */
export interface RunOptions {
  cfg: RunConfig;
  backbone: Backbone;
  runDir: RunDir;
  command: string;
  dataDir?: string;
  /** Where progress lines go (stderr when absent; null for none). */
  progressSink?: ProgressSink | null;
  /** Prints a line (resume notices, stage ends). */
  log?: (message: string) => void;
  /** Loads the data of one seed (tests pass a small in-memory benchmark). */
  loadData?: (seed: number) => BenchmarkData;
  /** Computes the unfinished units in parallel first (absent: this process runs them in order). */
  executor?: UnitExecutor;
}

/**
 * Runs every method for every seed (the TII stage once per seed, shared by the HiDe methods), resuming what the
 * run directory already holds, and writes results.json, results.md and the plots. Returns the summary and the
 * files written.
 */
export async function runBenchmark(o: RunOptions): Promise<{ summary: RunSummary; files: string[] }> {
  const { cfg, runDir } = o;
  const started = new Date();
  const t0 = performance.now();
  const spec = BENCHMARK_SPECS[cfg.benchmark];
  const loadData =
    o.loadData ??
    ((seed: number) =>
      loadBenchmark({
        spec,
        tasks: cfg.tasks,
        seed,
        trainPerClass: cfg.trainPerClass,
        testPerClass: cfg.testPerClass,
        classOrder: cfg.classOrder,
        ...(o.dataDir ? { dataDir: o.dataDir } : {}),
      }));
  const units = runUnits(cfg);
  const sink = o.progressSink === undefined ? process.stderr : o.progressSink;
  const progress = new Progress(0, sink);
  const log = (m: string) => {
    progress.log(m);
    o.log?.(m);
  };
  let work = new UnitRunner({ cfg, backbone: o.backbone, runDir, loadData, progress, log });
  for (const u of units) progress.addWork(work.units(u));
  const pending = units.filter((u) => !existsSync(unitFile(runDir, u)));
  // One unit left (or none) runs here: a child process would only add its start-up.
  if (o.executor && pending.length > 1) {
    for (const u of units) if (!pending.includes(u)) progress.skip(work.units(u));
    await o.executor(pending, progress);
    // Every unit is finished now: read them back without a second set of progress lines.
    work = new UnitRunner({ cfg, backbone: o.backbone, runDir, loadData, progress: SILENT, log: SILENT.log });
  }
  const runs = await work.runAll(units);
  progress.finish();
  const summary: RunSummary = {
    command: o.command,
    config: cfg as unknown as Record<string, unknown>,
    backend: cfg.backend,
    machine: machineInfo(),
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: (performance.now() - t0) / 1000,
    runs,
  };
  const files = await writeResults(runDir.dir, summary);
  return { summary, files };
}
