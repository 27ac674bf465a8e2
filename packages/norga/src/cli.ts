#!/usr/bin/env node
/**
 * The `norga` command:
 *   norga run [flags]       the continual-learning benchmark (see norga run --help)
 *   norga data [flags]      which data sets are available (the datasets package's report)
 *   norga pretrain [flags]  pretrain the tiny ViT backbone (the ViT package's command; --recipe NAME)
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDataCommand } from '@norga/datasets';
import { UsageError } from './args.js';
import { BackboneError } from './backbone-file.js';
import { expandRecipe, PRETRAIN_RECIPES } from './recipes.js';
import { runCommand } from './run-command.js';
import { RunDirError } from './rundir.js';

const USAGE = `usage: norga <command> [flags]

  run        continual learning with prefix experts: prefix tuning vs NoRGa (norga run --help)
  data       report the data sets found on this machine (norga data --help)
  pretrain   pretrain the tiny ViT backbone (norga pretrain --help); --recipe NAME picks a named recipe:
${Object.entries(PRETRAIN_RECIPES)
  .map(([name, r]) => `               ${name.padEnd(22)} ${r.description}`)
  .join('\n')}
  theory     the paper's convergence rates as an experiment: Voronoi loss against n per gate (norga theory --help)
`;

async function delegateToVit(argv: string[]): Promise<number> {
  const cli = join(dirname(fileURLToPath(import.meta.resolve('@norga/vit'))), 'cli.js');
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [cli, 'pretrain', ...expandRecipe(argv)], { stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) => ok(code ?? 1));
  });
}

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

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(
      `norga: ${err.message}\n(norga --help lists the commands; norga run --help the flags)\n`,
    );
    process.exitCode = 2;
  } else if (
    err instanceof RunDirError ||
    err instanceof BackboneError ||
    (err as Error).name === 'DataNotFoundError' ||
    (err as Error).name === 'DatasetError'
  ) {
    process.stderr.write(`norga: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } else {
    throw err;
  }
}
