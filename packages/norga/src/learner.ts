/**
 * One method's learner over the task sequence: prefix experts, the gate, the classifier head and the
 * task-adaptive statistics, with the within-task training step of HiDe-Prompt (WTP), its task-adaptive
 * alignment (TAP), evaluation with per-sample inferred prefixes, and state for checkpoints.
 *
 * The pipelines (config.MethodSpec.pipeline):
 *   hide        a prefix per task, momentum, contrastive regulariser, Gaussian realignment, TII at test time
 *   sequential  one prefix and head trained task after task (the lower bound): none of the above
 *   joint       one prefix and head trained once on every task's data (the upper bound)
 */
import { Adam, backward, noGrad, requiresGrad_ } from '@norga/autograd';
import type { ImageSet } from '@norga/datasets';
import { keep, manualSeed, type Tensor, tensor, tidy } from '@norga/tensor';
import { alignClassifier } from './align.js';
import type { Backbone } from './backbone.js';
import type { MethodSpec, RunConfig } from './config.js';
import { PrefixExperts } from './experts.js';
import { extractFeatures, imagesTensor } from './features.js';
import { Gate } from './gates.js';
import { type ClassGaussian, type ClassGaussianJson, gaussianFromJson, gaussianToJson } from './gaussian.js';
import { ClassifierHead } from './heads.js';
import { classificationLoss, contrastiveRegulariser, maskBias } from './losses.js';
import { mixSeeds, Rng } from './rng.js';
import { letSignalsIn } from './signals.js';
import { decodeTensor, encodeTensor, type SavedTensor } from './state.js';
import { classGaussians, type StepReport } from './tii.js';
import { clipGradNorm } from './train-utils.js';

export type LearnerConfig = Pick<
  RunConfig,
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

/** Batch size for forward-only passes (features, evaluation): larger is faster and changes nothing. */
export const EVAL_BATCH = 64;

export interface LearnerState {
  tasks: number;
  prefixes: Record<string, SavedTensor>;
  gate: Record<string, SavedTensor>;
  head: Record<string, SavedTensor>;
  gaussians: Record<string, ClassGaussianJson>;
}

export class Learner {
  readonly experts: PrefixExperts;
  readonly gate: Gate;
  readonly head: ClassifierHead;
  /** Per-class Gaussians of the prefixed features (TAP), also the prototypes of the regulariser. */
  readonly gaussians = new Map<number, ClassGaussian>();

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
    manualSeed(mixSeeds(seed, 0x4ead));
    this.head = new ClassifierHead(backbone.dim, numClasses);
  }

  get hide(): boolean {
    return this.method.pipeline === 'hide';
  }

  /** The prefix a task trains: its own under HiDe, the single shared one otherwise. */
  prefixOf(task: number): number {
    return this.hide ? task : 0;
  }

  /**
   * Within-task training of `task` on samples `indices` of `set` (all classes in `trainClasses`), then, under
   * HiDe, the task's prefixed-feature statistics and the head's realignment on all `seenClasses`.
   */
  async trainTask(
    task: number,
    set: ImageSet,
    indices: Int32Array,
    trainClasses: readonly number[],
    seenClasses: readonly number[],
    report?: StepReport,
    /** Optimiser steps to take (default: cfg.epochs passes over `indices`); the joint upper bound sets it. */
    stepBudget?: number,
  ): Promise<void> {
    const cfg = this.cfg;
    const p = this.prefixOf(task);
    if (p === this.experts.numTasks) this.experts.addTask(new Rng(mixSeeds(this.seed, 0x9e3f)));
    // Only the current prefix trains; earlier ones are frozen experts.
    for (let t = 0; t < this.experts.numTasks; t++)
      for (const [, x] of this.experts.taskParameters(t)) requiresGrad_(x, t === p);
    const gateLearns = this.method.gate !== 'linear' && (task === 0 || cfg.gateLearning === 'every-task');
    const gateParams = this.gate.parameters().map(([, x]) => x);
    for (const x of gateParams) requiresGrad_(x, gateLearns);
    const prefixParams = this.experts.taskParameters(p).map(([, x]) => x);
    const headParams = this.head.parameters();
    // The head trains in every task (its requires-grad flag was cleared at the end of the previous one).
    for (const x of headParams) requiresGrad_(x, true);
    const trainable = [...prefixParams, ...(gateLearns ? gateParams : []), ...headParams];
    // HiDe's larger_prompt_lr: the head at a tenth of the prompt's rate; the joint upper bound trains it at lr × 1.
    const headLr = this.method.pipeline === 'joint' ? cfg.lr : cfg.lr * cfg.headLrScale;
    const opt = new Adam([
      { params: [...prefixParams, ...(gateLearns ? gateParams : [])], lr: cfg.lr },
      { params: headParams, lr: headLr },
    ]);
    const momentum = this.hide ? cfg.promptMomentum : 0;
    const reg = this.hide ? cfg.reg : 0;
    const mask = maskBias(this.numClasses, trainClasses);
    // Prototypes: the means of the classes learned before this task (HiDe's contrastive regulariser).
    const protoClasses = [...this.gaussians.keys()]
      .filter((c) => !trainClasses.includes(c))
      .sort((a, b) => a - b);
    const prototypes =
      reg > 0 && protoClasses.length > 0
        ? tensor(
            Float32Array.from(
              protoClasses.flatMap((c) => Array.from((this.gaussians.get(c) as ClassGaussian).mean)),
            ),
            {
              shape: [protoClasses.length, this.backbone.dim],
            },
          )
        : null;
    const n = indices.length;
    const steps = Math.ceil(n / cfg.batchSize);
    const budget = stepBudget ?? cfg.epochs * steps;
    const epochs = Math.ceil(budget / steps);
    try {
      for (let epoch = 0, taken = 0; epoch < epochs; epoch++) {
        // The data order depends on (seed, task, epoch) only: every method sees the same batches.
        const order = new Rng(mixSeeds(this.seed, task, epoch, 0xda7a)).permutation(n);
        for (let s = 0; s < steps && taken < budget; s++, taken++) {
          const rows = order.subarray(s * cfg.batchSize, Math.min(n, (s + 1) * cfg.batchSize));
          const batch = Array.from(rows, (r) => indices[r] as number);
          const loss = tidy(() => {
            const x = imagesTensor(this.backbone, set, batch);
            const y = tensor(
              Int32Array.from(batch, (i) => set.labels[i] as number),
              { shape: [batch.length], dtype: 'int32' },
            );
            const prefixes = this.experts.training(p, momentum);
            const f = this.backbone.features(x, { prefixes, scoreFor: (l) => this.gate.scoreFor(l) });
            let l = classificationLoss(this.head.forward(f).add(mask), y);
            if (reg > 0) l = l.add(contrastiveRegulariser(f, prototypes).mul(reg));
            backward(l);
            return l;
          });
          await clipGradNorm(trainable, cfg.clipGrad);
          opt.step();
          opt.zeroGrad();
          const v = await loss.item();
          loss.dispose();
          report?.('wtp', v, s + 1, steps, epoch + 1, epochs, batch.length);
          await letSignalsIn();
        }
      }
    } finally {
      opt.zeroGrad();
      opt.dispose(); // its moment buffers; the parameters stay
      mask.dispose();
      prototypes?.dispose();
      for (const x of trainable) requiresGrad_(x, false);
    }
    if (!this.hide) return;
    this.experts.finishTask(p, momentum);
    // Task-adaptive statistics of the prefixed features, with the task's own (final) prefix.
    const feats = await extractFeatures(this.backbone, set, indices, EVAL_BATCH, () =>
      this.forwardOptions(this.experts.forTask(p)),
    );
    const labels = Int32Array.from(indices, (i) => set.labels[i] as number);
    for (const [c, g] of classGaussians(feats, labels, trainClasses, this.backbone.dim))
      this.gaussians.set(c, g);
    if (task > 0) {
      for (const x of headParams) requiresGrad_(x, true);
      await alignClassifier({
        forward: (x) => this.head.forward(x),
        params: headParams,
        gaussians: new Map(seenClasses.map((c) => [c, this.gaussians.get(c) as ClassGaussian])),
        numClasses: this.numClasses,
        epochs: cfg.caEpochs,
        lr: cfg.caLr,
        weightDecay: 0,
        samplesPerClass: cfg.caSamplesPerClass,
        batchSize: cfg.batchSize,
        rng: new Rng(mixSeeds(this.seed, task, 0xca)),
        onStep: (loss, step, steps, epoch) => report?.('tap-align', loss, step, steps, epoch, cfg.caEpochs),
      });
      for (const x of headParams) requiresGrad_(x, false);
    }
  }

  private forwardOptions(prefixes: ReturnType<PrefixExperts['forTask']>) {
    return { prefixes, scoreFor: (l: number) => this.gate.scoreFor(l) };
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
      this.forwardOptions(
        this.experts.perSample(tensor(ids.subarray(start, end), { shape: [end - start], dtype: 'int32' })),
      ),
    );
  }

  async classify(feats: Float32Array, seenClasses: readonly number[]): Promise<Int32Array> {
    const D = this.backbone.dim;
    const n = feats.length / D;
    const mask = maskBias(this.numClasses, seenClasses);
    const pred = tidy(() =>
      noGrad(() =>
        this.head
          .forward(tensor(feats, { shape: [n, D] }))
          .add(mask)
          .argmax(1),
      ),
    );
    const out = Int32Array.from((await pred.data()) as ArrayLike<number>);
    pred.dispose();
    mask.dispose();
    return out;
  }

  /**
   * Attention mass on the prefix columns per prompted layer: the mean over heads, queries and the given samples
   * of the softmax weight that the L prefix experts receive together, each sample with task `task`'s prefix.
   */
  async prefixMass(set: ImageSet, indices: ArrayLike<number>, task: number): Promise<number[]> {
    const L = this.cfg.promptLength;
    const sums = new Map<number, number>();
    let count = 0;
    for (let start = 0; start < indices.length; start += EVAL_BATCH) {
      const batch = Array.prototype.slice.call(indices, start, start + EVAL_BATCH) as number[];
      const found: [number, Tensor][] = [];
      const f = tidy(() =>
        noGrad(() =>
          this.backbone.features(imagesTensor(this.backbone, set, batch), {
            ...this.forwardOptions(this.experts.forTask(this.prefixOf(task))),
            onProbs: (layer, probs) => {
              // [B, H, N, L + N] → the prefix block summed over its L columns, averaged over B, H, N.
              const m = keep(probs.slice(-1, 0, L).sum(-1).mean());
              found.push([layer, m]);
            },
          }),
        ),
      );
      f.dispose();
      for (const [layer, m] of found) {
        sums.set(layer, (sums.get(layer) ?? 0) + (await m.item()) * batch.length);
        m.dispose();
      }
      count += batch.length;
    }
    return this.cfg.promptLayers.map((l) => (sums.get(l) ?? Number.NaN) / count);
  }

  /** The gate's learned values by state name (gate.alpha.<layer>, gate.tau.<layer>); empty for prefix tuning. */
  async gateValues(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [k, t] of this.gate.parameters()) out[k] = await t.item();
    return out;
  }

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
    for (let t = this.experts.numTasks; t < s.tasks; t++) {
      this.experts.keys.push(new Map());
      this.experts.values.push(new Map());
      for (const l of this.cfg.promptLayers) {
        const k = s.prefixes[`prefix.${t}.${l}.key`];
        const v = s.prefixes[`prefix.${t}.${l}.value`];
        if (!k || !v) throw new Error(`checkpoint: prefix of task ${t}, layer ${l} is missing`);
        (this.experts.keys[t] as Map<number, Tensor>).set(l, keep(decodeTensor(k)));
        (this.experts.values[t] as Map<number, Tensor>).set(l, keep(decodeTensor(v)));
      }
    }
    for (const [store, what] of [
      [this.gate.alpha, 'alpha'],
      [this.gate.tau, 'tau'],
    ] as const) {
      for (const l of [...store.keys()]) {
        const saved = s.gate[`gate.${what}.${l}`];
        if (!saved) throw new Error(`checkpoint: gate parameter gate.${what}.${l} is missing`);
        store.get(l)?.dispose();
        store.set(l, keep(decodeTensor(saved)));
      }
    }
    const head = Object.fromEntries(Object.entries(s.head).map(([k, v]) => [k, decodeTensor(v)]));
    this.head.loadStateDict(head);
    for (const t of Object.values(head)) t.dispose();
    this.gaussians.clear();
    for (const [c, g] of Object.entries(s.gaussians)) this.gaussians.set(Number(c), gaussianFromJson(g));
    // As at the end of a task: nothing requires gradients until the next task says what trains.
    for (const x of this.head.parameters()) requiresGrad_(x, false);
  }

  dispose(): void {
    this.experts.dispose();
    this.gate.dispose();
    this.head.dispose();
  }
}
