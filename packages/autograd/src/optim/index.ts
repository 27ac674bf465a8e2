export { Adam, type AdamHyper, type AdamOptions, AdamW } from './adam.js';
export { clipGradNorm_, clipGradValue_ } from './clip.js';
export { type LeakWarningOptions, warnOnLeaks } from './leak-watch.js';
export {
  type Group,
  Optimizer,
  type OptimizerStateDict,
  type ParamState,
  type ParamsArg,
} from './optimizer.js';
export {
  CosineAnnealingLR,
  type HasGroups,
  LambdaLR,
  LinearLR,
  LRScheduler,
  StepLR,
  warmupCosine,
} from './schedulers.js';
export { SGD, type SGDOptions } from './sgd.js';
