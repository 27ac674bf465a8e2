/**
 * Which learner runs each method family: the one place a new family is wired in (continual-learner.ts says
 * the rest of how a method plugs in).
 */
import type { Backbone } from './backbone.js';
import { CodaPromptLearner } from './coda-prompt.js';
import type { MethodSpec, Pipeline } from './config.js';
import type { ContinualLearner } from './continual-learner.js';
import { DualPromptLearner } from './dualprompt.js';
import { L2PLearner } from './l2p.js';
import { Learner, type LearnerConfig } from './learner.js';
import { VptNspLearner } from './vpt-nsp.js';

/** Builds a family's learner for `method` over `numClasses` classes; its initial state depends on `seed` only. */
export type LearnerFactory = (
  method: MethodSpec,
  cfg: LearnerConfig,
  backbone: Backbone,
  numClasses: number,
  seed: number,
) => ContinualLearner;

const prefixLearner: LearnerFactory = (method, cfg, backbone, numClasses, seed) =>
  new Learner(method, cfg, backbone, numClasses, seed);

/** The learner of each pipeline. */
export const LEARNER_FACTORIES: Record<Pipeline, LearnerFactory> = {
  hide: prefixLearner,
  sequential: prefixLearner,
  joint: prefixLearner,
  dualprompt: (...args) => new DualPromptLearner(...args),
  'coda-prompt': (...args) => new CodaPromptLearner(...args),
  l2p: (...args) => new L2PLearner(...args),
  'vpt-nsp': (...args) => new VptNspLearner(...args),
};

/** A new learner for `method` (no task learned yet). */
export function createLearner(
  method: MethodSpec,
  cfg: LearnerConfig,
  backbone: Backbone,
  numClasses: number,
  seed: number,
): ContinualLearner {
  return LEARNER_FACTORIES[method.pipeline](method, cfg, backbone, numClasses, seed);
}
