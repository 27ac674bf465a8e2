#!/usr/bin/env node
// The `norga-vit` bin.
import { runCli } from './cli/main.js';

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
