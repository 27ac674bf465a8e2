/** The built `norga` bin run as a process, as a user runs it (the tests that signal or count processes need one). */
import { type ChildProcess, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real bin (built by scripts/setup.sh before the tests, as in CI). */
export const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js');

/** Starts `norga run ARGS` and collects its stderr. */
export function startRun(args: string[]): {
  child: ChildProcess;
  err: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [bin, 'run', ...args], {
    cwd: tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  child.stdout?.resume();
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, err: () => err, exit };
}
