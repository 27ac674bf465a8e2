/**
 * What the prompt-based learners (L2P, DualPrompt, CODA-Prompt, VPT-NSP) share, so each of their files holds only
 * how its prompts are chosen and trained: the run's settings, the frozen backbone, a head over all classes whose
 * initial weights depend on the seed only (as every method's), no gate, and prediction as the head's argmax over
 * the prompted [CLS] features.
 */
import type { ImageSet } from '@norga/datasets';
import type { Backbone } from './backbone.js';
import type { MethodSpec } from './config.js';
import type { ContinualLearner, TrueTaskEvaluator } from './continual-learner.js';
import type { ClassifierHead } from './heads.js';
import { EVAL_BATCH, type LearnerConfig } from './learner.js';
import { classifyRows, type PromptTaskTraining, seededHead } from './prompt-family.js';
import type { StepReport } from './train-loop.js';

/** The arguments every learner is built from (learners.ts): method, run settings, backbone, class count, seed. */
export type LearnerArgs = [
  method: MethodSpec,
  cfg: LearnerConfig,
  backbone: Backbone,
  numClasses: number,
  seed: number,
];

/** The base of the prompt-based learners (see the file's comment). */
export abstract class PromptLearner implements ContinualLearner {
  readonly method: MethodSpec;
  readonly cfg: LearnerConfig;
  readonly backbone: Backbone;
  readonly numClasses: number;
  readonly seed: number;
  /** The classifier over all classes, on the prompted [CLS] feature. */
  readonly head: ClassifierHead;

  /** Its head's initial weights depend on `seed` only (as every method's). */
  constructor(...[method, cfg, backbone, numClasses, seed]: LearnerArgs) {
    this.method = method;
    this.cfg = cfg;
    this.backbone = backbone;
    this.numClasses = numClasses;
    this.seed = seed;
    this.head = seededHead(backbone.dim, numClasses, seed);
  }

  /** Throws, naming the method, unless every one of `blocks` exists in the backbone. */
  protected assertBlocksExist(blocks: readonly number[]): void {
    const depth = this.backbone.depth;
    const missing = blocks.find((l) => l >= depth);
    if (missing !== undefined)
      throw new RangeError(
        `${this.method.name}: block ${missing} does not exist in a backbone of depth ${depth}`,
      );
  }

  /** Learns task `task` (ContinualLearner.trainTask). */
  abstract trainTask(
    task: number,
    set: ImageSet,
    indices: Int32Array,
    trainClasses: readonly number[],
    seenClasses: readonly number[],
    report?: StepReport,
    stepBudget?: number,
  ): Promise<void>;

  /** Prompted features [n, D] of samples `indices`, each with the prompts the method picks for it at test time. */
  abstract promptedFeatures(set: ImageSet, indices: Int32Array, batchSize?: number): Promise<Float32Array>;

  /** The head's class of each row of `feats` [n, D], over `classes` only. */
  classify(feats: Float32Array, classes: readonly number[]): Promise<Int32Array> {
    return classifyRows(this.head, feats, this.backbone.dim, this.numClasses, classes);
  }

  /** The class of each sample over `seenClasses`; the shared TII stage's `taskIds` are not used. */
  async predict(
    set: ImageSet,
    indices: Int32Array,
    _taskIds: Int32Array,
    seenClasses: readonly number[],
    batchSize = EVAL_BATCH,
  ): Promise<Int32Array> {
    return this.classify(await this.promptedFeatures(set, indices, batchSize), seenClasses);
  }

  /** None unless a prompt belongs to a task: then the oracle and task-IL metrics do not apply. */
  trueTask(): TrueTaskEvaluator | undefined {
    return undefined;
  }

  /** No gate. */
  async gateValues(): Promise<Record<string, number>> {
    return {};
  }

  /** The head's weights and biases, part of every method's trainable count. */
  protected headParameters(): number {
    return this.backbone.dim * this.numClasses + this.numClasses;
  }

  /** The fields of trainPromptTask's argument that every method passes the same way, for task `task`. */
  protected taskTraining(
    task: number,
    set: ImageSet,
    indices: Int32Array,
    trainClasses: readonly number[],
    report: StepReport | undefined,
  ): Omit<PromptTaskTraining, 'groups' | 'forward'> {
    return {
      backbone: this.backbone,
      cfg: this.cfg,
      seed: this.seed,
      task,
      set,
      indices,
      trainClasses,
      numClasses: this.numClasses,
      head: this.head,
      ...(report === undefined ? {} : { report }),
    };
  }

  abstract prefixMass(set: ImageSet, indices: ArrayLike<number>, task: number): Promise<number[]>;
  abstract trainableParameters(): number;
  abstract state(): Promise<object>;
  abstract load(state: object): void;
  abstract dispose(): void;
}
