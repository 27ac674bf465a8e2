/**
 * A run directory and its bookkeeping. Layout:
 *
 *   <dir>/config.json                      the resolved configuration the run was started with
 *   <dir>/<method>/seed-<s>/checkpoint.json state after the last finished task (atomic, replaced per task)
 *   <dir>/<method>/seed-<s>/result.json    the finished method run
 *   <dir>/results.json, results.md, plots/ the summary (written when everything finished)
 *
 * Starting a run in a directory that already holds one is refused unless `resume` is set, and resuming with a
 * different configuration is refused with the differing keys named: a resumed run must compute exactly what the
 * uninterrupted one would have.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from './atomic.js';

export class RunDirError extends Error {
  override name = 'RunDirError';
}

/** Paths (a.b.c) where two JSON-like values differ. */
export function configDiff(a: unknown, b: unknown, path = ''): string[] {
  if (Object.is(a, b)) return [];
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null ||
    Array.isArray(a) !== Array.isArray(b)
  ) {
    return [path || '(root)'];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of [...keys].sort()) {
    out.push(
      ...configDiff(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        path ? `${path}.${k}` : k,
      ),
    );
  }
  return out;
}

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

function pick(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const k of path.split('.'))
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

export class RunDir {
  private constructor(
    readonly dir: string,
    readonly config: Record<string, unknown>,
  ) {}

  /**
   * Opens `dir` for a run with `config`. A fresh directory gets config.json. An existing run needs `resume`,
   * and its config must equal `config`.
   */
  static open(dir: string, config: Record<string, unknown>, resume: boolean): RunDir {
    const cfgPath = join(dir, 'config.json');
    const old = readJsonIfExists<Record<string, unknown>>(cfgPath);
    if (old === undefined) {
      if (resume && !existsSync(dir)) throw new RunDirError(`--resume: no run to resume at ${dir}`);
      if (resume) throw new RunDirError(`--resume: ${dir} has no config.json, so it holds no run to resume`);
      if (existsSync(dir) && readdirSync(dir).length > 0) {
        throw new RunDirError(`${dir} exists and is not a run directory; choose another --out`);
      }
      writeJsonAtomic(cfgPath, config);
      return new RunDir(dir, config);
    }
    if (!resume) {
      throw new RunDirError(
        `${dir} already holds a run (${cfgPath}); pass --resume to continue it or --out for a new directory`,
      );
    }
    const diff = configDiff(old, config);
    if (diff.length > 0) {
      const lines = diff.map((p) => `  ${p}: run has ${show(pick(old, p))}, now ${show(pick(config, p))}`);
      throw new RunDirError(
        `--resume: the configuration differs from the run in ${cfgPath}:\n${lines.join('\n')}`,
      );
    }
    return new RunDir(dir, old);
  }

  methodDir(method: string, seed: number): string {
    return join(this.dir, method, `seed-${seed}`);
  }

  checkpointPath(method: string, seed: number): string {
    return join(this.methodDir(method, seed), 'checkpoint.json');
  }

  resultPath(method: string, seed: number): string {
    return join(this.methodDir(method, seed), 'result.json');
  }

  saveCheckpoint<T>(method: string, seed: number, state: T): void {
    writeJsonAtomic(this.checkpointPath(method, seed), state);
  }

  loadCheckpoint<T>(method: string, seed: number): T | undefined {
    return readJsonIfExists<T>(this.checkpointPath(method, seed));
  }

  saveResult<T>(method: string, seed: number, result: T): void {
    writeJsonAtomic(this.resultPath(method, seed), result);
  }

  loadResult<T>(method: string, seed: number): T | undefined {
    return readJsonIfExists<T>(this.resultPath(method, seed));
  }
}
