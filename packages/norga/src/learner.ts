/**
 * One method's learner over the task sequence: prefix experts, the gate, the classifier head and the
 * task-adaptive statistics. Training a task is HiDe-Prompt's stages, one file each: within-task prediction
 * (wtp.ts), then task-adaptive prediction (tap.ts); task-identity inference (tii.ts) runs apart, once per seed.
 * Here: evaluation with per-sample inferred prefixes, the prefix attention mass, and state for checkpoints.
 *
 * The pipelines (config.MethodSpec.pipeline):
 *   hide        a prefix per task, momentum, contrastive regulariser, Gaussian realignment, TII at test time
 *   sequential  one prefix and head trained task after task (the lower bound): none of the above
 *   joint       one prefix and head trained once on every task's data (the upper bound)
 */
import { requiresGrad_ } from '@norga/autograd';
import type { ImageSet } from '@norga/datasets';
import { type Tensor, tensor } from '@norga/tensor';
import type { Prefixes, PrefixOptions } from '@norga/vit';
import { promptAttentionMass } from './attention-mass.js';
import type { Backbone } from './backbone.js';
import type { MethodSpec, RunConfig } from './config.js';
import type { ContinualLearner, TrueTaskEvaluator } from './continual-learner.js';
import { PrefixExperts } from './experts.js';
import { extractFeatures } from './features.js';
import { Gate } from './gates.js';
import { type ClassGaussian, type ClassGaussianJson, gaussianFromJson, gaussianToJson } from './gaussian.js';
import type { ClassifierHead } from './heads.js';
import { classifyRows, seededHead } from './prompt-family.js';
import { decodeTensor, encodeTensor, type SavedTensor } from './state.js';
import { adaptToTask } from './tap.js';
import type { StepReport } from './train-loop.js';
import { trainWithinTask } from './wtp.js';

/** The run settings a learner uses (within-task training and the head's realignment). */
export type LearnerConfig = Pick<
  RunConfig,
  | 'tasks'
  | 'epochs'
  | 'batchSize'
  | 'lr'
  | 'headLrScale'
  | 'clipGrad'
  | 'promptLength'
  | 'promptLayers'
  | 'promptMomentum'
  | 'reg'
  | 'gateLearning'
  | 'caEpochs'
  | 'caLr'
  | 'caSamplesPerClass'
>;

/**
 * The trainable scalars of a prefix-family learner (Learner.trainableParameters) holding `prefixes` task prefixes,
 * for width `dim` and `numClasses` classes: the prefixes, NoRGa's (α, τ) per prompted block where there is a gate,
 * the head, and under HiDe the task-identity network. Also what results made before the count was recorded get.
 */
export function prefixLearnerParameters(
  method: MethodSpec,
  cfg: Pick<RunConfig, 'promptLayers' | 'promptLength'>,
  dim: number,
  numClasses: number,
  prefixes: number,
): number {
  const D = dim;
  const layers = cfg.promptLayers.length;
  const gate = method.gate === 'linear' ? 0 : 2 * layers;
  const head = D * numClasses + numClasses;
  // TiiNetwork: fc1 (D → 2D), fc2 (2D → D), LayerNorm (2D), head (D → C).
  const tii = method.pipeline === 'hide' ? 2 * D * D + 2 * D + 2 * D * D + D + 2 * D + head : 0;
  return prefixes * layers * 2 * cfg.promptLength * D + gate + head + tii;
}

/** Batch size for forward-only passes (features, evaluation): larger is faster and changes nothing. */
export const EVAL_BATCH = 64;

/** One task's training samples: which images, their classes, and every class seen so far. */
export interface TaskSamples {
  readonly set: ImageSet;
  /** The samples of `set` the task trains on. */
  readonly indices: Int32Array;
  /** The task's classes (those of every sample in `indices`). */
  readonly trainClasses: readonly number[];
  /** Every class seen so far, the task's included. */
  readonly seenClasses: readonly number[];
}

/** A learner's state as JSON-safe data (the checkpoints' `learner` field). */
export interface LearnerState {
  /** How many tasks have a prefix. */
  tasks: number;
  /** Every prefix tensor by state name (`prefix.<task>.<layer>.key` / `.value`). */
  prefixes: Record<string, SavedTensor>;
  /** α and τ by state name (`gate.alpha.<layer>`, `gate.tau.<layer>`); empty for prefix tuning. */
  gate: Record<string, SavedTensor>;
  /** The head's state dict. */
  head: Record<string, SavedTensor>;
  /** The task-adaptive Gaussians by class id. */
  gaussians: Record<string, ClassGaussianJson>;
}

/**
 * One method's learner over the task sequence (one seed): its prefix experts, gate, head and task-adaptive
 * Gaussians. `trainTask` runs the paper's stages for a task; `predict` classifies test samples with the prefix
 * of each sample's inferred task.
 */
export class Learner implements ContinualLearner {
  readonly experts: PrefixExperts;
  readonly gate: Gate;
  readonly head: ClassifierHead;
  /** Per-class Gaussians of the prefixed features (TAP), also the prototypes of the regulariser. */
  readonly gaussians = new Map<number, ClassGaussian>();

  /** A learner for `method` with no task learned yet; its head's initial weights depend on `seed` only. */
  constructor(
    readonly method: MethodSpec,
    readonly cfg: LearnerConfig,
    readonly backbone: Backbone,
    readonly numClasses: number,
    readonly seed: number,
  ) {
    this.experts = new PrefixExperts(cfg.promptLayers, cfg.promptLength, backbone.dim);
    this.gate = new Gate(method.gate, cfg.promptLayers);
    // The head's initial weights depend on the seed only, so every method starts from the same head.
    this.head = seededHead(backbone.dim, numClasses, seed);
  }

  /** Whether the method runs HiDe-Prompt's pipeline (a prefix per task, TII, TAP). */
  get hide(): boolean {
    return this.method.pipeline === 'hide';
  }

  /** The prefix a task trains: its own under HiDe, the single shared one otherwise. */
  prefixOf(task: number): number {
    return this.hide ? task : 0;
  }

  /**
   * Learns task `task` from samples `indices` of `set` (all of classes `trainClasses`): within-task prediction
   * (wtp.ts), then under HiDe the task-adaptive statistics and the head's realignment on all `seenClasses`
   * (tap.ts). `stepBudget` caps the optimiser steps (default: cfg.epochs passes; the joint upper bound sets it).
   */
  async trainTask(
    task: number,
    set: ImageSet,
    indices: Int32Array,
    trainClasses: readonly number[],
    seenClasses: readonly number[],
    report?: StepReport,
    stepBudget?: number,
  ): Promise<void> {
    const samples = { set, indices, trainClasses, seenClasses };
    await trainWithinTask(this, task, samples, report, stepBudget);
    if (this.hide) await adaptToTask(this, task, samples, report);
  }

  /** The forward options for `prefixes`: the prefixes and the gate's score. */
  prefixOptions(prefixes: Prefixes): PrefixOptions {
    return { prefixes, score: this.gate.score };
  }

  /**
   * Predicted classes of samples `indices` of `set`, each with the prefix of task `taskIds[k]` (the task inferred
   * for it; ignored by the single-prefix pipelines), logits restricted to `seenClasses`.
   */
  async predict(
    set: ImageSet,
    indices: Int32Array,
    taskIds: Int32Array,
    seenClasses: readonly number[],
    batchSize = EVAL_BATCH,
  ): Promise<Int32Array> {
    return this.classify(await this.features(set, indices, taskIds, batchSize), seenClasses);
  }

  /** Prefixed features [n, D] of samples `indices`, sample k with the prefix of task taskIds[k]. */
  async features(
    set: ImageSet,
    indices: Int32Array,
    taskIds: Int32Array,
    batchSize = EVAL_BATCH,
  ): Promise<Float32Array> {
    const ids = this.hide ? taskIds : new Int32Array(indices.length);
    return extractFeatures(this.backbone, set, indices, batchSize, (start, end) =>
      this.prefixOptions(
        this.experts.perSample(tensor(ids.subarray(start, end), { shape: [end - start], dtype: 'int32' })),
      ),
    );
  }

  /** The head's predicted class of each row of `feats` [n, D], over `seenClasses` only. */
  classify(feats: Float32Array, seenClasses: readonly number[]): Promise<Int32Array> {
    return classifyRows(this.head, feats, this.backbone.dim, this.numClasses, seenClasses);
  }

  /**
   * Attention mass on the prefix columns per prompted layer: the mean over heads, queries and the given samples
   * of the softmax weight that the L prefix experts receive together, each sample with task `task`'s prefix.
   */
  async prefixMass(set: ImageSet, indices: ArrayLike<number>, task: number): Promise<number[]> {
    return promptAttentionMass(
      this.backbone,
      set,
      indices,
      this.cfg.promptLayers,
      () => this.cfg.promptLength,
      () => this.prefixOptions(this.experts.forTask(this.prefixOf(task))),
    );
  }

  /** Itself: every pipeline here can give a sample the prefix of a given task (the single-prefix ones ignore it). */
  trueTask(): TrueTaskEvaluator {
    return this;
  }

  /**
   * Scalars trained over the tasks so far: every task's prefix, the gate's (α, τ) where it learns, the head, and
   * under HiDe the task-identity network (trained once per seed and shared by the HiDe methods, counted in each).
   */
  trainableParameters(): number {
    return prefixLearnerParameters(
      this.method,
      this.cfg,
      this.backbone.dim,
      this.numClasses,
      this.experts.numTasks,
    );
  }

  /** The gate's learned values by state name (gate.alpha.<layer>, gate.tau.<layer>); empty for prefix tuning. */
  async gateValues(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [k, t] of this.gate.parameters()) out[k] = await t.item();
    return out;
  }

  /** The learner's state, for a checkpoint (restored by `load`). */
  async state(): Promise<LearnerState> {
    const enc = async (pairs: [string, Tensor][]) =>
      Object.fromEntries(await Promise.all(pairs.map(async ([k, t]) => [k, await encodeTensor(t)] as const)));
    const prefixes: [string, Tensor][] = [];
    for (let t = 0; t < this.experts.numTasks; t++) prefixes.push(...this.experts.taskParameters(t));
    return {
      tasks: this.experts.numTasks,
      prefixes: await enc(prefixes),
      gate: await enc(this.gate.parameters()),
      head: await enc(Object.entries(this.head.stateDict())),
      gaussians: Object.fromEntries([...this.gaussians].map(([c, g]) => [String(c), gaussianToJson(g)])),
    };
  }

  /** Restores a state() of a learner built with the same method, config, backbone and class count. */
  load(s: LearnerState): void {
    const saved = (store: Record<string, SavedTensor>) => (name: string) =>
      store[name] === undefined ? undefined : decodeTensor(store[name]);
    this.experts.load(s.tasks, saved(s.prefixes));
    this.gate.load(saved(s.gate));
    const head = Object.fromEntries(Object.entries(s.head).map(([k, v]) => [k, decodeTensor(v)]));
    this.head.loadStateDict(head);
    for (const t of Object.values(head)) t.dispose();
    this.gaussians.clear();
    for (const [c, g] of Object.entries(s.gaussians)) this.gaussians.set(Number(c), gaussianFromJson(g));
    // As at the end of a task: nothing requires gradients until the next task says what trains.
    for (const x of this.head.parameters()) requiresGrad_(x, false);
  }

  /** Frees the prefixes, the gate and the head (the backbone is the caller's). */
  dispose(): void {
    this.experts.dispose();
    this.gate.dispose();
    this.head.dispose();
  }
}
