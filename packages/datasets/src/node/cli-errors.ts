/**
 * The one top-level error handler of the project's commands (norga-data here; norga-vit and norga extend it with
 * their own error classes): every error becomes one line naming the file, flag or value, and an exit status.
 * A stack trace only with --verbose. This sits in the lowest package with a command, so all three can share it.
 */
import { TensorError } from '@norga/tensor';
import { DatasetError } from '../errors.js';
import { UsageError } from './flags.js';
import { LockError } from './lock.js';

/** Exit statuses of every command of the project (documented in each CLI's README). */
export const EXIT = {
  ok: 0,
  /** The command failed on its input: a missing or corrupt file, bad data, a run directory that does not fit. */
  failed: 1,
  /** A bad flag or value (the usage is printed). */
  usage: 2,
  /** The run or output directory is in use by another process. */
  busy: 3,
  /** The machine: disk full, out of memory, a backend (WebGPU) missing or broken. */
  environment: 4,
  /** A bug: an error nobody anticipated (run again with --verbose for the stack and report it). */
  internal: 70,
  /** Interrupted by Ctrl-C (SIGINT). */
  interrupted: 130,
  /** Stopped by SIGTERM (a plain `kill PID`): 128 + 15, what a shell reports for a process the signal ended. */
  terminated: 143,
  /** Stopped by SIGHUP (the terminal closed) or, for a pretraining child, its parent gone: 128 + 1. */
  hangup: 129,
} as const;

/** The exit status of a command stopped by `signal` (SIGINT 130, SIGTERM 143, anything else 129). */
export function signalExitStatus(signal: string | null): number {
  return signal === 'SIGINT' ? EXIT.interrupted : signal === 'SIGTERM' ? EXIT.terminated : EXIT.hangup;
}

/** An error as a command reports it: one line, and the exit status (a value of EXIT). */
export interface CliError {
  /** The line printed after the command's name, e.g. `norga-data: <message>`. */
  readonly message: string;
  /** The exit status. */
  readonly code: number;
}

const SYSTEM: Record<string, [string, number]> = {
  ENOSPC: ['no space left on the device', EXIT.environment],
  EDQUOT: ['disk quota exceeded', EXIT.environment],
  ENOMEM: ['out of memory', EXIT.environment],
  EMFILE: ['too many open files', EXIT.environment],
  EROFS: ['the file system is read-only', EXIT.failed],
  EACCES: ['permission denied', EXIT.failed],
  EPERM: ['operation not permitted', EXIT.failed],
  ENOTDIR: ['a part of the path is a file, not a directory', EXIT.failed],
  EISDIR: ['is a directory, not a file', EXIT.failed],
  ENOENT: ['no such file or directory', EXIT.failed],
  EEXIST: ['already exists', EXIT.failed],
  ENAMETOOLONG: ['the path is too long', EXIT.failed],
  ELOOP: ['too many symbolic links', EXIT.failed],
  EIO: ['input/output error', EXIT.environment],
};

/** A Node system error (fs, spawn) as "path: what went wrong". */
function systemError(err: NodeJS.ErrnoException): CliError | undefined {
  const known = err.code ? SYSTEM[err.code] : undefined;
  if (!known) return undefined;
  const path = err.path ?? (err as { dest?: string }).dest;
  return {
    message: `${path ? `${path}: ` : ''}${known[0]} (${err.code}${err.syscall ? ` in ${err.syscall}` : ''})`,
    code: known[1],
  };
}

/**
 * The errors every command may meet: bad flags (UsageError), data sets, tensors and backends, the file system, memory. Undefined for an
 * error it does not know (the caller's own classes come first; what is left is a bug).
 */
export function describeCommonError(err: unknown): CliError | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err instanceof UsageError) return { message: err.message, code: EXIT.usage };
  if (err instanceof DatasetError) return { message: err.message, code: EXIT.failed };
  if (err instanceof LockError) return { message: err.message, code: EXIT.busy };
  if (err instanceof TensorError) {
    if (err.name === 'BackendError' || err.name === 'WebGPUError' || err.name === 'DeviceLostError') {
      // The tensor package speaks to its own developers (pnpm); users of the published packages run npm.
      const message = err.message.replace('`pnpm add webgpu`', '`npm install webgpu` (pnpm add webgpu)');
      return { message: `${message}; --backend cpu works everywhere`, code: EXIT.environment };
    }
    return { message: `${err.name}: ${err.message}`, code: EXIT.failed };
  }
  if (
    err instanceof RangeError &&
    /Array buffer allocation failed|Invalid typed array length/.test(err.message)
  )
    return { message: `out of memory (${err.message})`, code: EXIT.environment };
  return systemError(err as NodeJS.ErrnoException);
}

/**
 * Writes the one line for `err` to `write` (prefixed by the command's name) and returns the exit status. Errors
 * `describe` does not know are bugs: their line says so, and --verbose adds the stack for the report.
 */
export function reportCliError(
  prog: string,
  err: unknown,
  write: (line: string) => void,
  opts: { verbose: boolean; describe?: (err: unknown) => CliError | undefined },
): number {
  const known = opts.describe?.(err) ?? describeCommonError(err);
  const stack = opts.verbose && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  if (known) {
    write(`${prog}: ${known.message}${stack}`);
    return known.code;
  }
  const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  write(
    `${prog}: internal error: ${what}${stack || ' (a bug: run again with --verbose and report the stack)'}`,
  );
  return EXIT.internal;
}

/** Removes a global --verbose from argv; every command accepts it anywhere. */
export function takeVerbose(argv: readonly string[]): { argv: string[]; verbose: boolean } {
  const rest = argv.filter((a) => a !== '--verbose');
  return { argv: rest, verbose: rest.length !== argv.length };
}
