#!/usr/bin/env node
/**
 * The `norga` command:
 *   norga run [flags]       the continual-learning benchmark (see norga run --help)
 *   norga data [flags]      which data sets are available (the datasets package's report)
 *   norga pretrain [flags]  pretrain the tiny ViT backbone (the ViT package's command; --recipe NAME)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportCliError, runDataCommand, signalExitStatus, takeVerbose } from '@norga/datasets';
import { UsageError } from './args.js';
import { describeNorgaError } from './errors.js';
import { expandRecipe, PRETRAIN_RECIPES } from './recipes.js';
import { interruptedLine, runCommand } from './run-command.js';
import { UNIT_PARENT_ENV } from './run-units.js';

const USAGE = `usage: norga <command> [flags]

  run        continual learning with prefix experts: prefix tuning vs NoRGa (norga run --help)
  data       report the data sets found on this machine (norga data --help)
  pretrain   pretrain the tiny ViT backbone (norga pretrain --help); --recipe NAME picks a named recipe:
${Object.entries(PRETRAIN_RECIPES)
  .map(([name, r]) => `               ${name.padEnd(22)} ${r.description}`)
  .join('\n')}
  theory     the paper's convergence rates as an experiment: Voronoi loss against n per gate (norga theory --help)

Every command takes -h/--help, and --verbose (a stack trace with any error).
Exit status: 0 ok, 1 a bad or missing file or data, a run directory that does not fit, 2 a bad flag,
3 the run directory is in use by another process, 4 the machine (disk full, out of memory, WebGPU missing),
70 a bug (report it with --verbose), 130 interrupted by Ctrl-C, 143 stopped by SIGTERM (kill PID), 129 by SIGHUP
(after any of the three, the command printed continues with --resume).
`;

/** The pretraining child now running (signals are forwarded to it). */
let child: ChildProcess | undefined;

/**
 * `norga pretrain` runs @norga/vit's `pretrain` command as a child process (its own bin, so a pretraining has
 * one code path). Ctrl-C and kills are forwarded to the child; the IPC channel makes the child stop by itself if
 * this process dies without forwarding (SIGKILL). The child locks --out, so a second pretraining there is refused.
 */
async function delegateToVit(argv: string[]): Promise<number> {
  const help = argv.includes('--help') || argv.includes('-h');
  if (help) process.stdout.write(PRETRAIN_USAGE);
  const cli = join(dirname(fileURLToPath(import.meta.resolve('@norga/vit'))), 'cli.js');
  const args = help ? ['pretrain', '--help'] : ['pretrain', ...expandRecipe(argv)];
  return new Promise((ok, fail) => {
    const c = spawn(process.execPath, [cli, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    child = c;
    c.on('error', fail);
    c.on('exit', (code, signal) => {
      child = undefined;
      ok(code ?? signalExitStatus(signal));
    });
  });
}

const PRETRAIN_USAGE = `usage: norga pretrain [--recipe NAME] [flags of norga-vit pretrain]

--recipe NAME expands into the recipe's flags (flags given on the command line win):
${Object.entries(PRETRAIN_RECIPES)
  .map(([name, r]) => `  ${name.padEnd(22)} ${r.description}`)
  .join('\n')}

`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest, {
        out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
        err: process.stderr,
      });
    case 'data':
      return runDataCommand(rest, { out: (s) => console.log(s), err: (s) => console.error(s) });
    case 'pretrain':
      if (rest[0] !== undefined && !rest[0].startsWith('-'))
        throw new UsageError(`pretrain takes no positional arguments, got '${rest[0]}'`);
      return delegateToVit(rest);
    case 'theory':
      return (await import('./theory/index.js')).runTheoryCommand(rest, {
        out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
      });
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

// Ctrl-C or a kill: every file is written atomically and the run directory is locked until exit, so stopping at
// once is safe. A pretraining child gets the same signal and reports for itself.
const stop = (signal: NodeJS.Signals) => {
  if (child) {
    child.kill(signal);
    return;
  }
  // A parallel run's child stops quietly: its parent says how to resume.
  if (process.env[UNIT_PARENT_ENV] === undefined) process.stderr.write(interruptedLine(signal));
  process.exit(signalExitStatus(signal));
};
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => stop(s));

const { argv, verbose } = takeVerbose(process.argv.slice(2));
try {
  process.exitCode = await main(argv);
} catch (err) {
  process.exitCode = reportCliError('norga', err, (l) => process.stderr.write(`${l}\n`), {
    verbose,
    describe: describeNorgaError,
  });
}
