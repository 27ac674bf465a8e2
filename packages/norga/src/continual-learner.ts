/**
 * The one interface every continual-learning method implements, and all that `norga run` (method-run.ts),
 * the evaluation (evaluate.ts), the checkpoints and the browser worker know of a method.
 *
 * How a method plugs in (the HiDe-Prompt family in learner.ts, DualPrompt in dualprompt.ts and CODA-Prompt in
 * coda-prompt.ts are the examples):
 *   1. config.ts: add its name to METHODS and its MethodSpec to METHOD_SPECS, with a `pipeline` of its own
 *      (add the tag to `Pipeline`). `norga run --methods` and its help follow from METHODS.
 *   2. A class implementing ContinualLearner in its own file(s): training one task, predicting test samples
 *      over the seen classes, the trainable-parameter count, and its state as JSON. A prompt-based method extends
 *      PromptLearner (prompt-learner.ts), which holds the seeded head and prediction from prompted features. Its settings that the run
 *      configuration does not hold (prompt lengths, pool sizes, loss weights) are constants in its file, named
 *      and documented there and in the package README.
 *   3. learners.ts: one line in LEARNER_FACTORIES mapping the pipeline to a constructor.
 *   4. If the method selects a prompt per task, `trueTask` returns the features with given task ids (the
 *      oracle and task-IL metrics then apply) and `inferTasks` its own task predictions (its TII); methods with
 *      no notion of a task's prompt leave them out, and those metrics are reported as not applicable (NaN, "—").
 * Nothing else changes: the runner, checkpoints, resume, results, paired table and plots are the same for all.
 */
import type { ImageSet } from '@norga/datasets';
import type { MethodSpec } from './config.js';
import type { StepReport } from './train-loop.js';

/** What the oracle metrics need: features with a given task's prompt per sample, and masked classification. */
export interface TrueTaskEvaluator {
  /** Prompted features [n, D] of `indices`, sample k with the prompt of task taskIds[k]. */
  features(set: ImageSet, indices: Int32Array, taskIds: Int32Array): Promise<Float32Array>;
  /** The predicted class of each row of `feats`, over `classes` only. */
  classify(feats: Float32Array, classes: readonly number[]): Promise<Int32Array>;
}

/** One method's learner over a task sequence (one seed). */
export interface ContinualLearner {
  /** The method it runs. */
  readonly method: MethodSpec;
  /**
   * Learns task `task` from samples `indices` of `set`, all of classes `trainClasses`; `seenClasses` is every class
   * so far, the task's included. `stepBudget` caps the optimiser steps (the joint upper bound sets it).
   */
  trainTask(
    task: number,
    set: ImageSet,
    indices: Int32Array,
    trainClasses: readonly number[],
    seenClasses: readonly number[],
    report?: StepReport,
    stepBudget?: number,
  ): Promise<void>;
  /**
   * The predicted class of samples `indices` of `set`, argmax over `seenClasses`. `taskIds[k]` is the task the
   * shared TII stage inferred for sample k (HiDe pipeline); a method with its own task inference ignores it.
   * A sample's prediction never depends on the other samples in its batch.
   */
  predict(
    set: ImageSet,
    indices: Int32Array,
    taskIds: Int32Array,
    seenClasses: readonly number[],
    batchSize?: number,
  ): Promise<Int32Array>;
  /** The evaluator of the oracle-TII and task-IL metrics; undefined where the method has no per-task prompt. */
  trueTask(): TrueTaskEvaluator | undefined;
  /** The task the method itself infers for each of samples `indices` (its own TII), when it has one. */
  inferTasks?(set: ImageSet, indices: Int32Array): Promise<Int32Array>;
  /** Mean softmax mass on the prompt columns per prompted layer for samples `indices` with task `task`'s prompt. */
  prefixMass(set: ImageSet, indices: ArrayLike<number>, task: number): Promise<number[]>;
  /** Learned scalar gate values by name (NoRGa's α, τ); empty where there are none. */
  gateValues(): Promise<Record<string, number>>;
  /** How many scalar parameters the method has trained over the tasks so far (every group it ever trains). */
  trainableParameters(): number;
  /** The learner's state as JSON-safe data, for a checkpoint (restored by `load`). */
  state(): Promise<object>;
  /** Restores a state() of a learner built with the same method, config, backbone and class count. */
  load(state: object): void;
  /** Frees its tensors (the backbone is the caller's). */
  dispose(): void;
}
