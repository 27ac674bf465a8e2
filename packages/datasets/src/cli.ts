#!/usr/bin/env node
import { reportCliError, takeVerbose } from './node/cli-errors.js';
import { runDataCommand } from './node/data-command.js';

const { argv, verbose } = takeVerbose(process.argv.slice(2));
try {
  process.exitCode = runDataCommand(argv, {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  });
} catch (err) {
  process.exitCode = reportCliError('norga-data', err, (l) => process.stderr.write(`${l}\n`), { verbose });
}
