#!/usr/bin/env node
import { runDataCommand } from './node/data-command.js';

process.exitCode = runDataCommand(process.argv.slice(2), {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
});
