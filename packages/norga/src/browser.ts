// @norga/norga for browsers (the `browser` export condition, and `@norga/norga/browser`): the method and its
// training stages, without the file system. Left out, Node only: the CLI and its arguments, run directories,
// checkpoints and results files (atomic, rundir, runner, method-run, results, state-checks), the backbone and
// data set files (backbone-file, data), the terminal progress line, vega plots and the theory commands.
export * from './align.js';
export * from './attention-mass.js';
export * from './backbone.js';
export * from './backbone-bytes.js';
export * from './benchmark-data.js';
export * from './coda-prompt.js';
export * from './config.js';
export * from './continual-learner.js';
export * from './dualprompt.js';
export * from './evaluate.js';
export * from './experts.js';
export * from './features.js';
export * from './gates.js';
export * from './gaussian.js';
export * from './heads.js';
export * from './l2p.js';
export * from './learner.js';
export * from './learners.js';
export * from './losses.js';
export * from './metrics.js';
export * from './moe.js';
// pairedStat and studentTwoSidedP are the tests' window into the paired table: not public.
export {
  PAIRED_METRICS,
  type PairedComparison,
  type PairedMetric,
  type PairedStat,
  pairedComparisons,
  pairedTableMarkdown,
} from './paired.js';
export * from './prompt-family.js';
export * from './prompt-learner.js';
export * from './prompt-pool.js';
export * from './rng.js';
export * from './state.js';
export * from './tap.js';
export * from './tii.js';
export * from './tii-stage.js';
export * from './train-loop.js';
export * from './vit-backbone.js';
export * from './vpt-nsp.js';
export * from './vpt-nsp-projection.js';
export * from './wtp.js';
