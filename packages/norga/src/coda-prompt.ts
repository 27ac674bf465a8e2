/**
 * CODA-Prompt (Smith et al., CVPR 2023), as prefix tuning on the frozen ViT. In each prompted block a pool of M
 * components, each with a prompt P_m ∈ R^{Lp×D}, a key K_m ∈ R^D and an attention vector A_m ∈ R^D:
 *
 *   α_m(x) = cos(q(x) ⊙ A_m, K_m)            q(x): the frozen backbone's prefix-free [CLS] feature
 *   P(x)   = Σ_m α_m(x) · P_m                 rows 0 … Lp/2 − 1 are the prefix keys, the rest the prefix values
 *
 * Each task adds a slice of CODA.componentsPerTask components and trains only that slice (with the head); older
 * slices are frozen but keep contributing. A new slice is initialised orthogonal to every earlier component by
 * Gram–Schmidt (K, A, and P flattened), as the official code does; its orthogonality penalty is 0 in the official
 * configuration, so there is none here. Loss: cross-entropy over the task's classes (earlier classes' logits
 * masked, as the official code does). There is no per-task prompt, so the oracle and task-IL metrics do not apply.
 */
import type { ImageSet } from '@norga/datasets';
import { concat, keep, type Tensor, tensor } from '@norga/tensor';
import type { LayerPrefix, Prefixes } from '@norga/vit';
import { promptAttentionMass } from './attention-mass.js';
import { extractFeatures } from './features.js';
import { EVAL_BATCH } from './learner.js';
import {
  decodeNamed,
  encodeNamed,
  featureRows,
  loadHead,
  queryFeatures,
  trainPromptTask,
  unitRows,
} from './prompt-family.js';
import { type LearnerArgs, PromptLearner } from './prompt-learner.js';
import { mixSeeds, Rng } from './rng.js';
import type { SavedTensor } from './state.js';
import type { StepReport } from './train-loop.js';

/**
 * CODA-Prompt's settings. Official (GT-RIPL/CODA-Prompt, Split CIFAR-100 in 10 tasks, ViT-B/16 of 12 blocks):
 * 100 components (10 per task), prompt length 8 (4 prefix keys + 4 prefix values), blocks 0–4, orthogonality
 * penalty 0 with Gram–Schmidt initialisation, Adam lr 0.001 at batch 128 (cosine schedule). The blocks are the
 * run's prompted blocks (HiDe's recipe: 0–4 of 12, scaled to the depth: the official ones on a ViT-B/16, 0–1 of
 * our 4); 10 components per task and length 8 kept; the learning rate in the ratio the shared recipe keeps to
 * the official HiDe/DualPrompt rate (0.03): lr · 0.001 / 0.03.
 */
export const CODA: {
  readonly componentsPerTask: number;
  readonly promptLength: number;
  readonly lrScale: number;
} = {
  componentsPerTask: 10,
  promptLength: 8,
  /** The method's learning rate as a fraction of the run's prompt learning rate `lr`. */
  lrScale: 0.001 / 0.03,
};

/** CODA-Prompt's weights α[b, m] = cos(q_b ⊙ A_m, K_m) of queries [B, D], attention vectors [M, D], keys [M, D]: [B, M]. */
export function componentWeights(queries: Tensor, attention: Tensor, keys: Tensor): Tensor {
  const attended = unitRows(queries.unsqueeze(1).mul(attention.unsqueeze(0))); // [B, M, D]
  return attended.mul(unitRows(keys).unsqueeze(0)).sum(-1);
}

/** One task's slice of components in one block: keys [m, D], attention vectors [m, D], prompts [m, Lp·D]. */
export interface CodaSlice {
  /** The components' keys K_m, [m, D]. */
  key: Tensor;
  /** The components' attention vectors A_m, [m, D]. */
  attention: Tensor;
  /** The components' prompts P_m, [m, Lp·D]. */
  prompt: Tensor;
}

/** CODA-Prompt's learner: per task and block a slice of components, and the head. */
export class CodaPromptLearner extends PromptLearner {
  /** slices[t].get(layer): task t's components in a block. */
  readonly slices: Map<number, CodaSlice>[] = [];

  /** The prompted blocks (the run's). */
  readonly layers: readonly number[];

  /** A learner with no component yet; its initial state depends on `seed` only. */
  constructor(...args: LearnerArgs) {
    super(...args);
    this.layers = [...this.cfg.promptLayers].sort((a, b) => a - b);
    this.assertBlocksExist(this.layers);
  }

  /** How many tasks have a slice. */
  get numTasks(): number {
    return this.slices.length;
  }

  /**
   * The prefixes of a batch with queries [B, D]: per block, α = cos(q ⊙ A, K) over every slice so far [B, M],
   * P = α · prompts [B, Lp, D], split into Lp/2 key rows and Lp/2 value rows.
   */
  prefixes(queries: Tensor): Prefixes {
    const B = queries.shape[0] as number;
    const D = this.backbone.dim;
    const Lp = CODA.promptLength;
    const out = new Map<number, LayerPrefix>();
    for (const l of this.layers) {
      const parts = this.slices.map((s) => s.get(l) as CodaSlice);
      const K = concat(
        parts.map((s) => s.key),
        0,
      );
      const A = concat(
        parts.map((s) => s.attention),
        0,
      );
      const P = concat(
        parts.map((s) => s.prompt),
        0,
      );
      const prompt = componentWeights(queries, A, K).matmul(P).reshape([B, Lp, D]);
      out.set(l, { key: prompt.slice(1, 0, Lp / 2), value: prompt.slice(1, Lp / 2, Lp) });
    }
    return out;
  }

  /** Adds the next task's slice, orthogonal to every earlier component (Gram–Schmidt). */
  private async addTask(): Promise<void> {
    const t = this.slices.length;
    const D = this.backbone.dim;
    const m = CODA.componentsPerTask;
    const rng = new Rng(mixSeeds(this.seed, 0xc0da, t));
    const slice = new Map<number, CodaSlice>();
    for (const l of this.layers) {
      const earlier = (k: keyof CodaSlice) => this.slices.map((s) => (s.get(l) as CodaSlice)[k]);
      slice.set(l, {
        key: await orthogonalSlice(rng, earlier('key'), m, D),
        attention: await orthogonalSlice(rng, earlier('attention'), m, D),
        prompt: await orthogonalSlice(rng, earlier('prompt'), m, CODA.promptLength * D),
      });
    }
    this.slices.push(slice);
  }

  /** Trains task `task`'s slice of components and the head on the task's samples. */
  async trainTask(
    task: number,
    set: ImageSet,
    indices: Int32Array,
    trainClasses: readonly number[],
    _seenClasses: readonly number[],
    report?: StepReport,
  ): Promise<void> {
    while (this.slices.length <= task) await this.addTask();
    const own = [...(this.slices[task] as Map<number, CodaSlice>).values()].flatMap((s) => [
      s.key,
      s.attention,
      s.prompt,
    ]);
    const lr = this.cfg.lr * CODA.lrScale;
    await trainPromptTask({
      ...this.taskTraining(task, set, indices, trainClasses, report),
      groups: [
        { params: own, lr },
        { params: this.head.parameters(), lr },
      ],
      forward: (queries) => ({ options: { prefixes: this.prefixes(queries) }, extraLoss: null }),
    });
  }

  /** Prompted features [n, D] of samples `indices`, each with the prompt its own query assembles. */
  async promptedFeatures(set: ImageSet, indices: Int32Array, batchSize = EVAL_BATCH): Promise<Float32Array> {
    const queries = await queryFeatures(this.backbone, set, indices);
    const D = this.backbone.dim;
    return extractFeatures(this.backbone, set, indices, batchSize, (start, end) => ({
      prefixes: this.prefixes(
        featureRows(
          queries,
          Array.from({ length: end - start }, (_, k) => start + k),
          D,
        ),
      ),
    }));
  }

  /** Mass on the assembled prefix columns per prompted block (the prompt does not depend on `task`). */
  async prefixMass(set: ImageSet, indices: ArrayLike<number>, _task: number): Promise<number[]> {
    const queries = await queryFeatures(this.backbone, set, indices);
    const D = this.backbone.dim;
    const position = new Map(Array.from(indices, (i, k) => [i, k] as const));
    return promptAttentionMass(
      this.backbone,
      set,
      indices,
      this.layers,
      () => CODA.promptLength / 2,
      (batch) => ({
        prefixes: this.prefixes(
          featureRows(
            queries,
            batch.map((i) => position.get(i) as number),
            D,
          ),
        ),
      }),
    );
  }

  /** Every slice's keys, attention vectors and prompts, and the head. */
  trainableParameters(): number {
    const D = this.backbone.dim;
    const perTask = this.layers.length * CODA.componentsPerTask * (2 * D + CODA.promptLength * D);
    return this.slices.length * perTask + this.headParameters();
  }

  private named(): [string, Tensor][] {
    return this.slices.flatMap((slice, t) =>
      [...slice].flatMap(([l, s]) => [
        [`k.${t}.${l}`, s.key] as [string, Tensor],
        [`a.${t}.${l}`, s.attention] as [string, Tensor],
        [`p.${t}.${l}`, s.prompt] as [string, Tensor],
      ]),
    );
  }

  /** Its state: the number of tasks, every component tensor by name, and the head. */
  async state(): Promise<CodaPromptState> {
    return {
      tasks: this.slices.length,
      components: await encodeNamed(this.named()),
      head: await encodeNamed(Object.entries(this.head.stateDict())),
    };
  }

  /** Restores a state() of a learner of the same configuration; throws naming a missing tensor. */
  load(s: CodaPromptState): void {
    for (const [, t] of this.named()) t.dispose();
    this.slices.length = 0;
    for (let t = 0; t < s.tasks; t++) {
      const slice = new Map<number, CodaSlice>();
      for (const l of this.layers)
        slice.set(l, {
          key: decodeNamed(s.components, `k.${t}.${l}`),
          attention: decodeNamed(s.components, `a.${t}.${l}`),
          prompt: decodeNamed(s.components, `p.${t}.${l}`),
        });
      this.slices.push(slice);
    }
    loadHead(this.head, s.head);
  }

  /** Frees the components and the head. */
  dispose(): void {
    for (const [, t] of this.named()) t.dispose();
    this.slices.length = 0;
    this.head.dispose();
  }
}

/** CODA-Prompt's checkpoint: task count, components by name, the head's state dict. */
export interface CodaPromptState {
  /** How many tasks have a slice of components. */
  tasks: number;
  /** `k|a|p.<task>.<block>`: keys, attention vectors, prompts. */
  components: Record<string, SavedTensor>;
  /** The head's state dict. */
  head: Record<string, SavedTensor>;
}

/**
 * `m` new unit rows of width `width`, orthogonal to the span of every row of `earlier` ([k, width] each) and to each
 * other: standard-normal draws, Gram–Schmidt against an orthonormal basis of the earlier rows (which training has
 * made non-orthogonal; the official code projects on them as they are, exact only while they stay orthogonal), then
 * normalised. Once the rows span all `width` dimensions no orthogonal direction is left; a row drawn then stays the
 * normalised draw (the official code assumes fewer components than dimensions).
 */
export async function orthogonalSlice(
  rng: Rng,
  earlier: readonly Tensor[],
  m: number,
  width: number,
): Promise<Tensor> {
  const basis: Float64Array[] = [];
  const norm = (x: Float64Array) => Math.sqrt(x.reduce((s, a) => s + a * a, 0));
  /** x minus its projection on the basis (modified Gram–Schmidt), normalised and added to it; null if none is left. */
  const extend = (x: Float64Array): Float64Array | null => {
    const u = Float64Array.from(x);
    for (const q of basis) {
      let dot = 0;
      for (let i = 0; i < width; i++) dot += (q[i] as number) * (u[i] as number);
      for (let i = 0; i < width; i++) u[i] = (u[i] as number) - dot * (q[i] as number);
    }
    const n = norm(u);
    if (!(n > 1e-6 * norm(x))) return null;
    for (let i = 0; i < width; i++) u[i] = (u[i] as number) / n;
    basis.push(u);
    return u;
  };
  for (const t of earlier) {
    const data = (await t.data()) as Float32Array;
    for (let r = 0; r * width < data.length; r++)
      extend(Float64Array.from(data.subarray(r * width, (r + 1) * width)));
  }
  const out = new Float32Array(m * width);
  for (let k = 0; k < m; k++) {
    const v = Float64Array.from({ length: width }, () => rng.normal());
    const row = extend(v) ?? v.map((x) => x / norm(v));
    out.set(row, k * width);
  }
  return keep(tensor(out, { shape: [m, width] }));
}
