// @norga/norga for Node: everything of the browser entry (./browser.ts: the method and its training stages),
// plus what needs the file system or a terminal: the CLI and its arguments, run directories, checkpoints and
// results files, the backbone and data set files, the progress line, plots and the theory commands.

export * from './args.js';
export * from './atomic.js';
export * from './backbone-file.js';
export * from './browser.js';
export * from './data.js';
export * from './method-run.js';
export * from './plots.js';
export * from './progress.js';
export * from './recipes.js';
export * from './results.js';
export * from './run-command.js';
export * from './rundir.js';
export * from './runner.js';
export * from './theory/index.js';
