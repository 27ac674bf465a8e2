/**
 * VPT-NSP, visual prompt tuning in the null space (Lu et al., NeurIPS 2024), on the frozen backbone: one deep
 * prompt per block (VPT-deep: block i's tokens also attend to LN1(P_i)), trained through every task, with each
 * update projected into the approximate null space of the earlier tasks' features (vpt-nsp-projection.ts) so that
 * what those tasks' tokens compute changes as little as possible. One task's training minimises
 *
 *   CE( (h(f(x; P)) + mask_t) / T , y )  +  λ · Σ_layers ( |mean(P_i) − mean(P_i⁻)|₁ + |std(P_i) − std(P_i⁻)|₁ )
 *
 * with P⁻ the prompts after the previous task (the LN loss: LayerNorm then sees the same per-token statistics, the
 * paper's condition for LayerNorm), mask_t the task's classes (the official separate task heads), T the logit
 * temperature; Adam whose update of each prompt is projected (the official ModAdam), a multistep rate. After each
 * task the uncentred covariances of the two conditions are accumulated over its training images and the
 * projections remade. No task identity: every test image uses the same prompts.
 */
import {
  Adam,
  type AdamHyper,
  type AdamOptions,
  assign_,
  type Group,
  noGrad,
  type ParamState,
  type ParamsArg,
} from '@norga/autograd';
import type { ImageSet } from '@norga/datasets';
import { keep, type Tensor, tensor, tidy } from '@norga/tensor';
import type { PrefixOptions } from '@norga/vit';
import { promptAttentionMass } from './attention-mass.js';
import { extractFeatures, imagesTensor } from './features.js';
import { EVAL_BATCH } from './learner.js';
import { classificationLoss, maskBias } from './losses.js';
import { decodeNamed, encodeNamed, loadHead, uniformParameter } from './prompt-family.js';
import { type LearnerArgs, PromptLearner } from './prompt-learner.js';
import { mixSeeds, Rng } from './rng.js';
import { letSignalsIn } from './signals.js';
import { base64ToBytes, bytesToBase64, type SavedTensor } from './state.js';
import { type StepReport, trainMinibatches } from './train-loop.js';
import { nullSpaceProjection, projectUpdate, uncentredCovariance } from './vpt-nsp-projection.js';

/**
 * VPT-NSP's settings: the official configuration (zugexiaodui/VPTinNSforCL, train_cifar100_s10_vpt.sh and
 * train_eval.py's defaults) on the 4-block ViT. Epochs and batch size are the run's (the official 10 and 256); the
 * learning rate keeps the official 0.01's ratio to HiDe-Prompt's 0.03, which the recipe maps to the run's `--lr`.
 */
export const VPT_NSP_SETTINGS = {
  /** Tokens per deep prompt (prompt_len). The prompt is in every block (prompt_start_block 0 … end_block 11). */
  length: 4,
  /** Adam's learning rate for the prompts and the head, as a fraction of the run's `--lr`: 0.01 / 0.03. */
  lrScale: 0.01 / 0.03,
  /** Weight decay (L2, as torch's Adam) of the prompts; the head's is 0 (see the package README). */
  weightDecay: 5e-5,
  /** Multistep schedule: the rate × `decay` at each milestone, as fractions of the epochs (5 and 8 of 10). */
  milestones: [0.5, 0.8],
  decay: 0.1,
  /**
   * The logits are divided by T = temperature·√(D / 768) before the cross-entropy: the official 28 at ViT-B's
   * width, scaled as the final-norm features' length (√D), which the logits grow with (8.08 at D = 64).
   */
  temperature: 28,
  /** η of both projections (null_eta1, null_eta2). */
  eta: 0.97,
  /** λ of the LN loss (ln_loss_lam). */
  lnLossWeight: 1,
} as const;

/** Adam whose update of a projected parameter [1, M, D] is ΔP ← P₂·ΔP·P₁ (the official ModAdam). */
export class ProjectedAdam extends Adam {
  /** Creates the optimiser; `projections` maps a parameter to its (tokens P₂, features P₁), read at every step. */
  constructor(
    params: ParamsArg<AdamHyper>,
    options: AdamOptions,
    readonly projections: ReadonlyMap<Tensor, { tokens: Tensor; features: Tensor }>,
  ) {
    super(params, options);
  }

  /** Adam's new value of `p`; for a projected parameter p + P₂·(Adam's step)·P₁ instead. */
  protected override update(p: Tensor, grad: Tensor, group: Group<AdamHyper>, state: ParamState): Tensor {
    const next = super.update(p, grad, group, state);
    const proj = this.projections.get(p);
    if (proj === undefined) return next;
    const [, m, d] = p.shape as [number, number, number];
    const delta = next.sub(p).reshape([m, d]);
    return p.add(projectUpdate(delta, proj.tokens, proj.features).reshape(p.shape));
  }
}

/** One layer's accumulated covariances (float64, row-major) and its projections once a task is done. */
export interface LayerSpace {
  /** C₁ [D, D]: of the queries mapped into the prompt's input space (the attention-logit condition). */
  features: Float64Array;
  /** C₂ [M, M]: of the attention rows on the prompt columns (the attention-output condition). */
  tokens: Float64Array;
  /** P₁ [D, D] and P₂ [M, M] from them, after the first task. */
  projection?: { features: Float64Array; tokens: Float64Array };
}

/** One layer's covariances and (after a task) projections, float64 bytes in base64. */
export interface SavedSpace {
  features: string;
  tokens: string;
  projectionFeatures?: string;
  projectionTokens?: string;
}

/** A VPT-NSP learner's state as JSON-safe data (the checkpoints' `learner` field). */
export interface VptNspState {
  prompts: Record<string, SavedTensor>;
  head: Record<string, SavedTensor>;
  /** Per layer: the covariances and projections as float64 bytes in base64. */
  spaces: Record<string, SavedSpace>;
}

/** VPT-NSP over a task sequence (one seed): the deep prompts, the head and the null-space statistics. */
export class VptNspLearner extends PromptLearner {
  /** The deep prompt of every block, [1, M, D]. */
  readonly prompts = new Map<number, Tensor>();
  readonly spaces = new Map<number, LayerSpace>();
  #projected = new Map<Tensor, { tokens: Tensor; features: Tensor }>();

  /** A learner with no task learned; prompts U(-1, 1) (the official init) and the head depend on `seed` only. */
  constructor(...args: LearnerArgs) {
    super(...args);
    const [, , backbone, , seed] = args;
    const M = VPT_NSP_SETTINGS.length;
    const D = backbone.dim;
    const rng = new Rng(mixSeeds(seed, 0x9a5e));
    for (let l = 0; l < backbone.depth; l++) {
      this.prompts.set(l, uniformParameter(rng, [1, M, D]));
      this.spaces.set(l, { features: new Float64Array(D * D), tokens: new Float64Array(M * M) });
    }
  }

  /** The forward options: the deep prompts in every block. */
  promptOptions(): PrefixOptions {
    return { deepPrompts: this.prompts };
  }

  /** Trains the prompts (projected) and the head on one task, then adds its features to the null-space statistics. */
  async trainTask(
    task: number,
    set: ImageSet,
    indices: Int32Array,
    trainClasses: readonly number[],
    _seenClasses: readonly number[],
    report?: StepReport,
    stepBudget?: number,
  ): Promise<void> {
    const s = VPT_NSP_SETTINGS;
    const prompts = [...this.prompts.values()];
    const headParams = this.head.parameters();
    // P⁻'s per-token statistics for the LN loss, from the second task on.
    const previous =
      task === 0 ? null : tidy(() => noGrad(() => prompts.map((p) => tokenStats(p).map(keep))));
    const optimizer = new ProjectedAdam(
      [
        { params: prompts, weightDecay: s.weightDecay },
        { params: headParams, weightDecay: 0 },
      ],
      { lr: this.cfg.lr * s.lrScale },
      this.#projected,
    );
    const mask = maskBias(this.numClasses, trainClasses);
    const n = indices.length;
    const epochs = this.cfg.epochs;
    const temperature = s.temperature * Math.sqrt(this.backbone.dim / 768);
    try {
      await trainMinibatches({
        n,
        batchSize: this.cfg.batchSize,
        epochs,
        ...(stepBudget === undefined ? {} : { maxSteps: stepBudget }),
        params: [...prompts, ...headParams],
        optimizer,
        epochOrder: (epoch) => {
          const passed = s.milestones.filter((m) => epoch >= Math.round(m * epochs)).length;
          for (const g of optimizer.paramGroups) g.lr = this.cfg.lr * s.lrScale * s.decay ** passed;
          // The data order of the prefix methods' within-task training (wtp.ts): every method sees the same batches.
          return new Rng(mixSeeds(this.seed, task, epoch, 0xda7a)).permutation(n);
        },
        loss: (rows) => {
          const batch = Array.from(rows, (r) => indices[r] as number);
          const y = tensor(
            Int32Array.from(batch, (i) => set.labels[i] as number),
            { shape: [batch.length], dtype: 'int32' },
          );
          const f = this.backbone.features(imagesTensor(this.backbone, set, batch), this.promptOptions());
          const ce = classificationLoss(this.head.forward(f).div(temperature).add(mask), y);
          return previous === null ? ce : ce.add(lnLoss(prompts, previous).mul(s.lnLossWeight));
        },
        onStep: (loss, step, steps, epoch, total, size) =>
          report?.('wtp', loss, step, steps, epoch, total, size),
      });
    } finally {
      mask.dispose();
      for (const t of previous?.flat() ?? []) t.dispose();
    }
    await this.accumulate(set, indices);
    await this.remakeProjections();
  }

  /** Adds the task's per-batch uncentred covariances of both conditions, every layer, over samples `indices`. */
  async accumulate(set: ImageSet, indices: ArrayLike<number>): Promise<void> {
    const M = VPT_NSP_SETTINGS.length;
    for (let start = 0; start < indices.length; start += EVAL_BATCH) {
      const batch = Array.prototype.slice.call(indices, start, start + EVAL_BATCH) as number[];
      const found: [number, 'features' | 'tokens', Tensor][] = [];
      const f = tidy(() =>
        noGrad(() =>
          this.backbone.features(imagesTensor(this.backbone, set, batch), {
            ...this.promptOptions(),
            // The queries mapped into the prompt's input space, [B, H, N, D]: rows of the logit condition.
            onPromptQueries: (q, layer) => found.push([layer, 'features', keep(uncentredCovariance(q))]),
            // The attention the tokens pay to the M prompt columns, [B, H, N, M]: rows of the output condition.
            onAttentionProbs: (probs, layer) =>
              found.push([layer, 'tokens', keep(uncentredCovariance(probs.slice(-1, 0, M)))]),
          }),
        ),
      );
      f.dispose();
      for (const [layer, which, cov] of found) {
        const into = this.spaces.get(layer)![which];
        const values = (await cov.data()) as Float32Array;
        for (let i = 0; i < into.length; i++) into[i]! += values[i]!;
        cov.dispose();
      }
      // A task's images are many batches: let Ctrl-C and a parallel run's stop in between (signals.ts).
      await letSignalsIn();
    }
  }

  /** The projections of every layer from its accumulated covariances (after a task). */
  async remakeProjections(): Promise<void> {
    const D = this.backbone.dim;
    const M = VPT_NSP_SETTINGS.length;
    for (const space of this.spaces.values()) {
      space.projection = {
        features: await nullSpaceProjection(space.features, D, VPT_NSP_SETTINGS.eta),
        tokens: await nullSpaceProjection(space.tokens, M, VPT_NSP_SETTINGS.eta),
      };
    }
    this.#makeProjectionTensors();
  }

  #makeProjectionTensors(): void {
    const D = this.backbone.dim;
    const M = VPT_NSP_SETTINGS.length;
    this.#disposeProjectionTensors();
    for (const [layer, space] of this.spaces) {
      if (space.projection === undefined) continue;
      this.#projected.set(this.prompts.get(layer)!, {
        features: keep(tensor(Float32Array.from(space.projection.features), { shape: [D, D] })),
        tokens: keep(tensor(Float32Array.from(space.projection.tokens), { shape: [M, M] })),
      });
    }
  }

  #disposeProjectionTensors(): void {
    for (const { tokens, features } of this.#projected.values()) {
      tokens.dispose();
      features.dispose();
    }
    this.#projected.clear();
  }

  /** Prompted features [n, D] of samples `indices` (the same prompts for every sample). */
  async promptedFeatures(set: ImageSet, indices: Int32Array, batchSize = EVAL_BATCH): Promise<Float32Array> {
    return extractFeatures(this.backbone, set, indices, batchSize, () => this.promptOptions());
  }

  /** Attention mass on the deep prompts' columns per block (the same prompts for every task). */
  prefixMass(set: ImageSet, indices: ArrayLike<number>): Promise<number[]> {
    const layers = [...this.prompts.keys()];
    return promptAttentionMass(
      this.backbone,
      set,
      indices,
      layers,
      () => VPT_NSP_SETTINGS.length,
      () => this.promptOptions(),
    );
  }

  /** The deep prompts of every block and the head. */
  trainableParameters(): number {
    const D = this.backbone.dim;
    return this.prompts.size * VPT_NSP_SETTINGS.length * D + this.headParameters();
  }

  /** Prompts, head, covariances and projections, for a checkpoint. */
  async state(): Promise<VptNspState> {
    const prompts = await encodeNamed(
      [...this.prompts].map(([l, p]) => [`prompt.${l}`, p] as [string, Tensor]),
    );
    const head = await encodeNamed(Object.entries(this.head.stateDict()));
    const spaces: VptNspState['spaces'] = {};
    for (const [l, s] of this.spaces) {
      spaces[String(l)] = {
        features: encodeFloat64(s.features),
        tokens: encodeFloat64(s.tokens),
        ...(s.projection === undefined
          ? {}
          : {
              projectionFeatures: encodeFloat64(s.projection.features),
              projectionTokens: encodeFloat64(s.projection.tokens),
            }),
      };
    }
    return { prompts, head, spaces };
  }

  /** Restores a state() of a learner built with the same settings, backbone and class count. */
  load(state: object): void {
    const s = state as VptNspState;
    for (const [l, p] of this.prompts) {
      const value = decodeNamed(s.prompts, `prompt.${l}`);
      try {
        if (value.shape.join() !== p.shape.join()) {
          throw new Error(
            `checkpoint: prompt.${l} is [${value.shape.join(', ')}], needs [${p.shape.join(', ')}]`,
          );
        }
        assign_(p, value);
      } finally {
        value.dispose();
      }
    }
    loadHead(this.head, s.head);
    for (const [l, space] of this.spaces) {
      const saved = s.spaces?.[String(l)];
      if (saved === undefined) throw new Error(`VPT-NSP state has no null-space statistics of layer ${l}`);
      space.features = decodeFloat64(saved.features, space.features.length, `layer ${l} features`);
      space.tokens = decodeFloat64(saved.tokens, space.tokens.length, `layer ${l} tokens`);
      if (saved.projectionFeatures !== undefined && saved.projectionTokens !== undefined) {
        space.projection = {
          features: decodeFloat64(saved.projectionFeatures, space.features.length, `layer ${l} projection`),
          tokens: decodeFloat64(saved.projectionTokens, space.tokens.length, `layer ${l} projection`),
        };
      } else delete space.projection;
    }
    this.#makeProjectionTensors();
  }

  /** Frees the prompts, the head and the projections (the backbone is the caller's). */
  dispose(): void {
    this.#disposeProjectionTensors();
    for (const p of this.prompts.values()) p.dispose();
    this.head.dispose();
  }
}

/** Each prompt token's mean and (population) standard deviation over its D features: [1, M] each. */
function tokenStats(p: Tensor): [Tensor, Tensor] {
  return [p.mean(-1), p.var(-1, { correction: 0 }).sqrt()];
}

/** Σ over layers of the mean absolute change of the tokens' means and deviations (F.l1_loss, as official). */
function lnLoss(prompts: readonly Tensor[], previous: readonly Tensor[][]): Tensor {
  return tidy(() =>
    prompts
      .map((p, i) => {
        const [mean, std] = tokenStats(p);
        const [m0, s0] = previous[i] as [Tensor, Tensor];
        return mean.sub(m0).abs().mean().add(std.sub(s0).abs().mean());
      })
      .reduce((a, b) => a.add(b)),
  );
}

function encodeFloat64(a: Float64Array): string {
  return bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

function decodeFloat64(base64: string, length: number, what: string): Float64Array {
  const bytes = base64ToBytes(base64);
  if (bytes.length !== length * 8) {
    throw new Error(`VPT-NSP state: ${what} has ${bytes.length} bytes, needs ${length * 8}`);
  }
  const out = new Float64Array(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
