export * from './align.js';
export * from './args.js';
export * from './atomic.js';
export * from './backbone.js';
export * from './backbone-file.js';
export * from './config.js';
export * from './data.js';
export * from './experts.js';
export * from './features.js';
export * from './gates.js';
export * from './gaussian.js';
export * from './heads.js';
export * from './learner.js';
export * from './losses.js';
export * from './method-run.js';
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
export * from './plots.js';
export * from './progress.js';
export * from './recipes.js';
export * from './results.js';
export * from './rng.js';
export * from './run-command.js';
export * from './rundir.js';
export * from './runner.js';
export * from './state.js';
export * from './tap.js';
export * from './theory/index.js';
export * from './tii.js';
export * from './tii-stage.js';
export * from './train-loop.js';
export * from './vit-backbone.js';
export * from './wtp.js';
