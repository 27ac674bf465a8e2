/**
 * Atomic file writes: write a sibling temporary file, fsync it, rename it over the target, fsync the directory.
 * A run killed mid-write leaves either the old file or the new one, never half of one — after SIGKILL and after
 * a power loss — so `--resume` can trust whatever it finds. Temporaries left by a kill are `.NAME.PID.N.tmp`;
 * `removeStaleTemps` clears them (the run directory's lock guarantees no live writer owns them).
 *
 * Two JSON flavours:
 * - public files (config.json, results.json): plain JSON, a number that is not finite (a cell not measured) is
 *   `null`;
 * - state files (checkpoints, finished method runs): a `checksum` key (sha256 of the rest) checked on load, and
 *   NaN / ±Infinity kept exactly as the strings "NaN" / "Infinity" so a resume computes bit-identical results.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A file that exists but cannot be what it claims to be (bad JSON, checksum mismatch, wrong shape). */
export class CorruptFileError extends Error {
  override name = 'CorruptFileError';
  constructor(
    readonly path: string,
    why: string,
  ) {
    super(`${path}: ${why}`);
  }
}

let counter = 0;

/** fsync a directory so a rename inside it survives a power loss (a no-op where directories cannot be opened). */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) and file systems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `data` to `path` atomically: a temporary file beside it, fsync, rename, fsync of the directory. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(dirname(path));
}

const TEMP = /^\..+\.\d+\.\d+\.tmp$/;

/** Removes the temporaries a killed writer left in `dir` and its subdirectories; returns how many. */
export function removeStaleTemps(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += removeStaleTemps(p);
    else if (TEMP.test(e.name)) {
      rmSync(p, { force: true });
      n++;
    }
  }
  return n;
}

/** A public JSON file: non-finite numbers become null. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, publicReplacer, 2)}\n`);
}

/** Reads JSON, naming the file in any error. Returns undefined when the file does not exist. */
export function readJsonIfExists<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text, stateReviver) as T;
  } catch (err) {
    throw new CorruptFileError(path, `not valid JSON (${(err as Error).message})`);
  }
}

function digest(value: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(value, stateReplacer)).digest('hex')}`;
}

/** A state file: the object with a `checksum` of its content; NaN and ±Infinity survive the round trip. */
export function writeStateAtomic(path: string, value: object): void {
  const withSum = { checksum: digest(value), ...value };
  writeFileAtomic(path, `${JSON.stringify(withSum, stateReplacer, 2)}\n`);
}

/**
 * Reads a state file and checks its checksum. Undefined when the file does not exist; a CorruptFileError naming
 * the file when it is not JSON, not an object or its content does not match the checksum. A file without a
 * checksum key (written before checksums existed) is accepted as it is.
 */
export function readStateIfExists<T>(path: string): T | undefined {
  const raw = readJsonIfExists<unknown>(path);
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CorruptFileError(path, 'not a JSON object');
  const { checksum, ...value } = raw as { checksum?: unknown };
  if (checksum !== undefined && checksum !== digest(value))
    throw new CorruptFileError(
      path,
      'checksum mismatch: the file was changed or damaged after it was written; delete it to recompute that part',
    );
  return value as T;
}

function publicReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

// JSON has no NaN or Infinity; accuracy matrices hold NaN for tasks not yet seen. Encode them as strings.
function stateReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

function stateReviver(_key: string, value: unknown): unknown {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return value;
}
