/**
 * A parallel run: child processes (each the `norga` command in unit mode, one thread each by default) compute a
 * run's units while this process hands them out and draws one progress line. On the CPU backend this is faster
 * than one process with a thread per core, because much of a step (element-wise kernels, the autograd graph,
 * sampling) runs on one thread: two one-thread processes keep both cores busy all the time (docs/PERFORMANCE.md,
 * "The main job"). Units are deterministic and thread-count invariant, so the results are bit-identical to a
 * serial run's; each child writes the unit's file atomically, so a killed parallel run resumes like any other.
 *
 * The messages: parent → child `{ unit }` (compute it) and `{ exit: true }`; child → parent `ready`, progress
 * (`step`, `addDone`, `skip`, `log`), `finished` and `failed` (the error's one line and exit status).
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { ProgressFields } from './progress.js';
import type { ProgressReporter, RunUnit } from './runner.js';

/** Environment variable naming the parent's pid in a child: it puts `norga run` in unit mode. */
export const UNIT_PARENT_ENV = 'NORGA_RUN_PARENT';

/** A message from a child. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'step'; fields: ProgressFields; units: number }
  | { type: 'addDone'; units: number }
  | { type: 'skip'; units: number }
  | { type: 'log'; message: string }
  | { type: 'finished' }
  | { type: 'failed'; message: string; code: number };

/** A message to a child. */
export type ParentMessage = { unit: RunUnit } | { exit: true };

/** A unit a child process could not finish: its one-line error and the exit status it asked for. */
export class UnitFailedError extends Error {
  override name = 'UnitFailedError';
  constructor(
    message: string,
    /** The exit status of the child's error (the EXIT table), used as this process's own. */
    readonly code: number,
  ) {
    super(message);
  }
}

/** How to start the children and share the units. */
export interface ParallelOptions {
  /** Child processes at once. */
  jobs: number;
  /** Cores to share among the children (each gets NORGA_THREADS = cores / children, at least 1). */
  cores: number;
  /** The script a child runs (the `norga` command) and its arguments (`run ...` for the same run directory). */
  script: string;
  args: readonly string[];
  /** Whether methods wait for their seed's TII stage (it is among the units, or finished). */
  needsTii: boolean;
}

/**
 * The next unit to hand out: a TII stage first (it unlocks its seed's methods), else the first method whose seed's
 * stage is finished. Undefined when nothing can start now.
 */
export function nextUnit(
  waiting: readonly RunUnit[],
  tiiFinished: ReadonlySet<number>,
  needsTii: boolean,
): RunUnit | undefined {
  return (
    waiting.find((u) => u.kind === 'tii') ??
    waiting.find((u) => u.kind === 'method' && (!needsTii || tiiFinished.has(u.seed)))
  );
}

const live = new Set<ChildProcess>();
let exitHook = false;
/** Children must not outlive this process (Ctrl-C, kill, an error): they would compute with no lock held. */
function killChildrenAtExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGTERM');
  });
}

/** The exit status a child dies with on SIGINT / SIGTERM (130 / 143): the parent stops the same way. */
const SIGNAL_OF_STATUS: Record<number, NodeJS.Signals> = { 130: 'SIGINT', 143: 'SIGTERM' };

/**
 * Computes `units` in up to `o.jobs` child processes, reporting their progress to `progress`. Resolves when all
 * are finished; on a child's error the others are stopped (they keep their last checkpoint) and it rejects
 * with a UnitFailedError carrying the child's message and exit status.
 */
export function runUnitsInChildren(
  units: readonly RunUnit[],
  progress: ProgressReporter,
  o: ParallelOptions,
): Promise<void> {
  killChildrenAtExit();
  const waiting = [...units];
  // A seed's TII stage is finished unless it is among the units to compute.
  const tiiPending = new Set(units.filter((u) => u.kind === 'tii').map((u) => u.seed));
  const tiiFinished = new Set(units.map((u) => u.seed).filter((s) => !tiiPending.has(s)));
  let running = 0;
  let failed = false;
  return new Promise<void>((resolve, reject) => {
    const idle: ChildProcess[] = [];
    const children: ChildProcess[] = [];
    const assigned = new Map<ChildProcess, RunUnit>();
    const stopAll = () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    };
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      stopAll();
      reject(err);
    };
    const dispatch = () => {
      while (idle.length > 0 && !failed) {
        const unit = nextUnit(waiting, tiiFinished, o.needsTii);
        if (!unit) break;
        waiting.splice(waiting.indexOf(unit), 1);
        const child = idle.shift() as ChildProcess;
        assigned.set(child, unit);
        running++;
        child.send({ unit } satisfies ParentMessage);
      }
      if (waiting.length === 0 && running === 0 && !failed) {
        for (const c of children) c.send({ exit: true } satisfies ParentMessage);
        resolve();
      }
    };
    const describe = (u: RunUnit | undefined) =>
      u === undefined
        ? 'starting'
        : u.kind === 'tii'
          ? `computing the TII stage of seed ${u.seed}`
          : `computing ${u.method} seed ${u.seed}`;
    const n = Math.max(1, Math.min(o.jobs, units.length));
    const threads = Math.max(1, Math.floor(o.cores / n));
    for (let k = 0; k < n; k++) {
      const child = fork(o.script, [...o.args], {
        env: {
          ...process.env,
          [UNIT_PARENT_ENV]: String(process.pid),
          NORGA_THREADS: String(threads),
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      live.add(child);
      child.on('message', (m: ChildMessage) => {
        switch (m.type) {
          case 'ready':
            idle.push(child);
            return dispatch();
          case 'step':
            return progress.step(m.fields, m.units);
          case 'addDone':
            return progress.addDone(m.units);
          case 'skip':
            return progress.skip(m.units);
          case 'log':
            return progress.log(m.message);
          case 'finished': {
            const u = assigned.get(child) as RunUnit;
            assigned.delete(child);
            running--;
            if (u.kind === 'tii') tiiFinished.add(u.seed);
            idle.push(child);
            return dispatch();
          }
          case 'failed':
            return fail(new UnitFailedError(`${describe(assigned.get(child))}: ${m.message}`, m.code));
        }
      });
      child.on('error', (err) => fail(err));
      child.on('exit', (code, signal) => {
        live.delete(child);
        if (failed || (code === 0 && !assigned.has(child))) return;
        const status = code ?? 128;
        const sig = signal ?? SIGNAL_OF_STATUS[status];
        // Stopped by a signal (Ctrl-C reaches every process of the group): this process stops the same way,
        // through its own handler, which prints how to resume.
        if (sig === 'SIGINT' || sig === 'SIGTERM') {
          failed = true;
          stopAll();
          process.kill(process.pid, sig);
          return;
        }
        fail(
          new UnitFailedError(
            `a run process (pid ${child.pid}) exited with ${signal ?? `status ${code}`} while ${describe(assigned.get(child))}`,
            code ?? 70,
          ),
        );
      });
    }
  });
}
