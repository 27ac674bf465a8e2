/**
 * A run directory and its bookkeeping. Layout:
 *
 *   <dir>/config.json                      the resolved configuration the run was started with
 *   <dir>/<method>/seed-<s>/checkpoint.json state after the last finished task (atomic, replaced per task)
 *   <dir>/<method>/seed-<s>/result.json    the finished method run
 *   <dir>/tii/seed-<s>.json                the task-identity stage of a seed
 *   <dir>/results.json, results.md, plots/ the summary (written when everything finished)
 *   <dir>/.lock                            pid of the process running in it (lock.ts)
 *
 * Checkpoints and results carry a checksum checked on load (atomic.ts).
 * Starting a run in a directory that already holds one is refused unless `resume` is set, and resuming with a
 * different configuration is refused with the differing keys named: a resumed run must compute exactly what the
 * uninterrupted one would have.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { type DirLock, lockDir } from '@norga/datasets';
import {
  CorruptFileError,
  readJsonIfExists,
  readStateIfExists,
  removeStaleTemps,
  writeJsonAtomic,
  writeStateAtomic,
} from './atomic.js';

/** A run directory that cannot be used (another run's, or contradicting the command); the CLI exits 1. */
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

/** Configuration keys newer than some run directories: a run without them resumes (the data source, recorded since). */
const ADDED_KEYS = ['dataSource'];

/** Where a run's stored configuration `old` and `config` differ, keys newer than the run aside. */
function resumeDiff(old: Record<string, unknown>, config: Record<string, unknown>): string[] {
  return configDiff(old, config).filter(
    (p) => !(ADDED_KEYS.includes(p.split('.')[0] ?? '') && !(p.split('.')[0]! in old)),
  );
}

/** `runs/<benchmark>-<UTC date>-<time>`, made unique with a suffix if a run started in the same second. */
export function newRunDirName(root: string, benchmark: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let dir = join(root, `${benchmark}-${stamp}`);
  for (let k = 2; existsSync(dir); k++) dir = join(root, `${benchmark}-${stamp}-${k}`);
  return dir;
}

/** Points `link` (e.g. runs/split-mnist-latest) at `dir`, replacing an older link atomically. */
export function linkLatest(link: string, dir: string): void {
  if (existsSync(link) && !lstatSync(link).isSymbolicLink())
    throw new RunDirError(`${link} exists and is not a link; it is where the latest run's link goes`);
  const tmp = `${link}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(relative(dirname(link), dir), tmp);
  renameSync(tmp, link);
}

/** The run a `latest` link points at (absolute), or undefined when there is no such link. */
export function readLatest(link: string): string | undefined {
  try {
    return resolve(dirname(link), readlinkSync(link));
  } catch {
    return undefined;
  }
}

/** A run directory: its config.json, lock, and each (method, seed)'s checkpoint and result files. */
export class RunDir {
  private constructor(
    readonly dir: string,
    readonly config: Record<string, unknown>,
    private readonly lock: DirLock,
  ) {}

  /**
   * Opens `dir` for a run with `config` and locks it. A fresh (or empty) directory gets config.json. An existing
   * run needs `resume`, and its config must equal `config`. Temporaries of a killed writer are removed first, so a
   * directory that holds nothing but the temporary of a config.json killed mid-write counts as empty.
   */
  static open(dir: string, config: Record<string, unknown>, resume: boolean): RunDir {
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw new RunDirError(`${dir} exists and is not a directory; choose another --out`);
    if (resume && !existsSync(dir)) throw new RunDirError(`--resume: no run to resume at ${dir}`);
    mkdirSync(dir, { recursive: true });
    const lock = lockDir(dir);
    try {
      removeStaleTemps(dir);
      const cfgPath = join(dir, 'config.json');
      const old = readJsonIfExists<Record<string, unknown>>(cfgPath);
      if (old === undefined) {
        if (resume)
          throw new RunDirError(`--resume: ${dir} has no config.json, so it holds no run to resume`);
        if (readdirSync(dir).some((f) => f !== '.lock'))
          throw new RunDirError(`${dir} exists and is not a run directory; choose another --out`);
        writeJsonAtomic(cfgPath, config);
        return new RunDir(dir, config, lock);
      }
      if (typeof old !== 'object' || old === null || Array.isArray(old))
        throw new CorruptFileError(cfgPath, 'not a JSON object');
      if (!resume) {
        throw new RunDirError(
          `${dir} already holds a run (${cfgPath}); pass --resume to continue it or --out for a new directory`,
        );
      }
      // Keys added to the configuration after a run was started (older runs lack them) do not block its resume.
      const diff = resumeDiff(old, config);
      if (diff.length > 0) {
        const lines = diff.map((p) => `  ${p}: run has ${show(pick(old, p))}, now ${show(pick(config, p))}`);
        throw new RunDirError(
          `--resume: the configuration differs from the run in ${cfgPath}:\n${lines.join('\n')}`,
        );
      }
      return new RunDir(dir, old, lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /**
   * The run directory `dir` for a child process of a parallel run (run-units.ts): the parent, process
   * `parentPid`, holds its lock; the configuration must be the one in its config.json.
   */
  static attach(dir: string, config: Record<string, unknown>, parentPid: number): RunDir {
    const cfgPath = join(dir, 'config.json');
    const old = readJsonIfExists<Record<string, unknown>>(cfgPath);
    if (old === undefined) throw new RunDirError(`${dir} holds no run (no config.json) to compute units of`);
    const holder = readJsonIfExists<{ pid?: unknown }>(join(dir, '.lock'));
    if (holder?.pid !== parentPid)
      throw new RunDirError(`${dir} is not held by process ${parentPid}, which started this unit process`);
    const diff = resumeDiff(old, config);
    if (diff.length > 0)
      throw new RunDirError(`${cfgPath}: a unit process resolved another configuration (${diff.join(', ')})`);
    return new RunDir(dir, old, { path: join(dir, '.lock'), release() {} });
  }

  /** Releases the directory's lock (also released at process exit). */
  close(): void {
    this.lock.release();
  }

  /** `<dir>/<method>/seed-<seed>`. */
  methodDir(method: string, seed: number): string {
    return join(this.dir, method, `seed-${seed}`);
  }

  /** The checkpoint file of (method, seed). */
  checkpointPath(method: string, seed: number): string {
    return join(this.methodDir(method, seed), 'checkpoint.json');
  }

  /** The result file of (method, seed). */
  resultPath(method: string, seed: number): string {
    return join(this.methodDir(method, seed), 'result.json');
  }

  /** Writes (method, seed)'s checkpoint atomically, with its checksum. */
  saveCheckpoint<T extends object>(method: string, seed: number, state: T): void {
    writeStateAtomic(this.checkpointPath(method, seed), state);
  }

  /** (method, seed)'s checkpoint, undefined when there is none; a damaged file throws naming it. */
  loadCheckpoint<T>(method: string, seed: number): T | undefined {
    return readStateIfExists<T>(this.checkpointPath(method, seed));
  }

  /** Writes (method, seed)'s finished result atomically, with its checksum. */
  saveResult<T extends object>(method: string, seed: number, result: T): void {
    writeStateAtomic(this.resultPath(method, seed), result);
  }

  /** (method, seed)'s result, undefined when there is none; a damaged file throws naming it. */
  loadResult<T>(method: string, seed: number): T | undefined {
    return readStateIfExists<T>(this.resultPath(method, seed));
  }
}
