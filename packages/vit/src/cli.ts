#!/usr/bin/env node
// The `norga-vit` bin.
import { signalExitStatus } from '@norga/datasets';
import { interruptHint, runCli } from './cli/main.js';

// Ctrl-C or a kill: checkpoints are atomic, so stopping at once is safe; say how to continue.
const stop = (signal: string) => {
  process.stderr.write(`\nnorga-vit: interrupted (${signal})${interruptHint ? `; ${interruptHint}` : ''}\n`);
  process.exit(signalExitStatus(signal));
};
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => stop(s));
// Started by `norga pretrain` with an IPC channel: when that parent dies (even by SIGKILL, which it cannot
// forward), the channel closes and this child stops instead of running on as an orphan.
if (process.channel) {
  process.on('disconnect', () => stop('parent exited'));
  process.channel.unref();
}

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
