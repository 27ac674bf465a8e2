/**
 * A whole benchmark run: for each seed, load the seed's split, run the shared task-identity stage (when a
 * HiDe-pipeline method is asked for), then each method with checkpoints; finally the results table, JSON and
 * plots. Everything finished is found again on `--resume` and not recomputed.
 */

import { join } from 'node:path';
import { readStateIfExists, writeStateAtomic } from './atomic.js';
import type { Backbone } from './backbone.js';
import { BENCHMARK_SPECS, METHOD_SPECS, type RunConfig } from './config.js';
import { type BenchmarkData, loadBenchmark } from './data.js';
import { methodUnits, runMethod } from './method-run.js';
import { Progress, type ProgressSink } from './progress.js';
import { type MethodRun, machineInfo, type RunSummary, writeResults } from './results.js';
import type { RunDir } from './rundir.js';
import { checkTiiStage } from './state-checks.js';
import { runTiiStage, type TiiStage, tiiStageUnits, tiiToJson } from './tii-stage.js';

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
  const load =
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
  const methods = cfg.methods.map((m) => METHOD_SPECS[m]);
  const needsTii = methods.some((m) => m.pipeline === 'hide');
  const datas = new Map<number, BenchmarkData>();
  for (const seed of cfg.seeds) datas.set(seed, load(seed));
  let total = 0;
  for (const [, data] of datas) {
    if (needsTii) total += tiiStageUnits(data);
    for (const m of methods) total += methodUnits(data, cfg, m);
  }
  const progress = new Progress(total, o.progressSink === undefined ? process.stderr : o.progressSink);
  const log = (m: string) => {
    progress.log(m);
    o.log?.(m);
  };
  const runs: MethodRun[] = [];
  for (const seed of cfg.seeds) {
    const data = datas.get(seed) as BenchmarkData;
    let tii: TiiStage | undefined;
    if (needsTii) {
      const path = join(runDir.dir, 'tii', `seed-${seed}.json`);
      const saved = readStateIfExists<unknown>(path);
      if (saved !== undefined) {
        tii = checkTiiStage(path, saved, data);
        progress.skip(tiiStageUnits(data));
        log(`[tii seed ${seed}] finished earlier: ${path}`);
      } else {
        const T = data.tasks.length;
        tii = await runTiiStage(
          o.backbone,
          data,
          cfg,
          seed,
          (units, phase, task) =>
            progress.step(
              {
                label: `[${phase} seed ${seed}]`,
                task: task + 1,
                tasks: T,
                epoch: 0,
                epochs: 0,
                step: 0,
                steps: 0,
                loss: Number.NaN,
              },
              units,
            ),
          (task) => (phase, loss, step, steps, epoch, epochs) =>
            progress.step(
              {
                label: `[${phase} seed ${seed}]`,
                task: task + 1,
                tasks: T,
                epoch,
                epochs,
                step,
                steps,
                loss,
              },
              0,
            ),
        );
        writeStateAtomic(path, tiiToJson(tii));
        log(
          `[tii seed ${seed}] task-identity accuracy after each task: ${tii.accuracy.map((a) => (a * 100).toFixed(1)).join(' / ')} %`,
        );
      }
    }
    for (const method of methods) {
      const T = data.tasks.length;
      const label = `[${method.name} seed ${seed}]`;
      const run = await runMethod({
        backbone: o.backbone,
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
      runs.push(run);
    }
  }
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
