/**
 * A directory lock (for the run and output directories of the project's commands; here, in the lowest package
 * with a command, so every command shares it): `<dir>/.lock`, created exclusively (O_EXCL), holding the owner's pid, host and start time.
 * Two processes resuming one run directory would both compute the same work and race on its files; the second is
 * refused instead. A lock whose process is gone (a kill -9, a power loss) is stale and taken over; a lock from
 * another host cannot be checked and is refused with the way out named.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** A directory lock held by another live process, or by a process on another host (the message names it). */
export class LockError extends Error {
  override name = 'LockError';
}

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return Number.isSafeInteger(info.pid) && typeof info.host === 'string' ? info : undefined;
  } catch {
    return undefined; // missing, or a half-written lock of a killed process
  }
}

/** A lock taken by lockDir. */
export interface DirLock {
  /** The lock file, `<dir>/.lock`. */
  readonly path: string;
  /** Removes the lock file, if it is still this process's; calling it again does nothing. */
  release(): void;
}

/**
 * Takes the lock of `dir` (which must exist) or throws a LockError naming the process holding it. `what` names
 * the flag that chose the directory (for the message). The lock is released by `release()` and at process exit.
 */
export function lockDir(dir: string, what = '--out'): DirLock {
  const path = join(dir, '.lock');
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  // The content goes to a private file first and is hard-linked into place: link() fails if the lock exists, and
  // a lock is never seen half-written.
  const mine = `${path}.${process.pid}.tmp`;
  writeFileSync(mine, `${JSON.stringify(me)}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const other = readLock(path);
        if (other && other.host !== me.host)
          throw new LockError(
            `${dir} is locked by process ${other.pid} on ${other.host} (since ${other.started}); if that process is gone, delete ${path}`,
          );
        if (other && other.pid !== process.pid && alive(other.pid))
          throw new LockError(
            `${dir} is in use by process ${other.pid} (since ${other.started}): wait for it to finish or stop it, or choose another ${what}`,
          );
        // Stale (its process is gone): move it aside under a name of our own, so two processes recovering the
        // same stale lock cannot both remove it and both win.
        const aside = `${path}.stale.${process.pid}`;
        try {
          renameSync(path, aside);
        } catch {
          continue; // someone else moved it first; look again
        }
        const moved = readLock(aside);
        rmSync(aside, { force: true });
        if (moved && other && moved.pid !== other.pid && alive(moved.pid)) {
          // We moved a fresh lock another recoverer had just taken: give it back and yield to it.
          writeFileSync(aside, `${JSON.stringify(moved)}\n`);
          renameSync(aside, path);
        }
        continue;
      }
      const release = () => {
        if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { path, release };
    }
  } finally {
    rmSync(mine, { force: true });
  }
  throw new LockError(`could not take the lock ${path}; another process keeps replacing it`);
}
