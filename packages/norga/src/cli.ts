#!/usr/bin/env node
/** The `norga` command. Filled in as the pipeline lands. */
console.error('norga: not built yet');
process.exit(1);
