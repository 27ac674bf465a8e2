/**
 * DualPrompt (Wang et al., ECCV 2022), as prefix tuning on the frozen ViT:
 *
 *   G-prompt   one prefix shared by all tasks, on the first block(s), trained on every task;
 *   E-prompts  one prefix per task on the next block(s), each with a key k_t ∈ R^D;
 *   query      q(x) = the frozen backbone's prefix-free [CLS] feature;
 *   training   task t uses its own E-prompt (the true task), loss = CE over the task's classes
 *              + λ · mean_batch (1 − cos(q(x), k_t)), which pulls k_t towards the task's queries;
 *   test       each sample uses the E-prompt of argmax_t cos(q(x), k_t) over the tasks seen so far.
 *
 * Earlier tasks' E-prompts and keys are never trained again (frozen); task t's E-prompt starts as a copy of task
 * t − 1's (the official code's shared prompt pool), its key uniform(−1, 1). The classifier reads the [CLS] output.
 * The configuration (official values and their scaling to the 4-block backbone) is DUALPROMPT below; the package
 * README lists every deviation.
 */
import type { ImageSet } from '@norga/datasets';
import { concat, indexSelect, stack, type Tensor, tensor, tidy } from '@norga/tensor';
import type { LayerPrefix, Prefixes, PrefixOptions } from '@norga/vit';
import { promptAttentionMass } from './attention-mass.js';
import type { TrueTaskEvaluator } from './continual-learner.js';
import { extractFeatures } from './features.js';
import { EVAL_BATCH } from './learner.js';
import {
  copyParameter,
  cosineMatrix,
  decodeNamed,
  encodeNamed,
  loadHead,
  queryFeatures,
  trainPromptTask,
  uniformParameter,
} from './prompt-family.js';
import { type LearnerArgs, PromptLearner } from './prompt-learner.js';
import { mixSeeds, Rng } from './rng.js';
import type { SavedTensor } from './state.js';
import type { StepReport } from './train-loop.js';

/**
 * DualPrompt's settings. Official (dualprompt-pytorch, Split CIFAR-100, ViT-B/16 of 12 blocks): G-prompt length 5
 * on blocks 0–1, E-prompt length 5 on blocks 2–4, prefix tuning, one E-prompt per task (pool size = tasks, top-1),
 * key-matching weight 1. The blocks come from the run's prompted blocks (dualPromptBlocks): on a 12-block backbone
 * the official ones, on our 4 blocks 0–1. Lengths and λ are the official ones.
 */
export const DUALPROMPT: {
  readonly gLength: number;
  readonly eLength: number;
  readonly pullWeight: number;
} = {
  gLength: 5,
  eLength: 5,
  /** λ of the key-matching loss λ · (1 − cos). */
  pullWeight: 1,
};

/**
 * DualPrompt's G and E blocks from the run's prompted blocks (HiDe's recipe: blocks 0–4 of 12, scaled to the
 * backbone's depth): officially 5 blocks split 2 G + 3 E, so G takes the first 2/5 of them (at least one) and E
 * the rest: blocks 0–1 and 2–4 of a ViT-B/16, blocks 0 and 1 of our 4-block ViT. G still precedes E and together
 * they prompt exactly the blocks the HiDe-Prompt methods prompt. With one prompted block, G and E share it (their
 * prefixes are concatenated there, as the official code does where a block has both).
 */
export function dualPromptBlocks(promptLayers: readonly number[]): { g: number[]; e: number[] } {
  const blocks = [...promptLayers].sort((a, b) => a - b);
  if (blocks.length === 0) throw new RangeError('dualprompt: needs at least one prompted block');
  if (blocks.length === 1) return { g: blocks, e: blocks };
  const g = Math.max(1, Math.round((2 * blocks.length) / 5));
  return { g: blocks.slice(0, g), e: blocks.slice(g) };
}

/** A prompt's prefix per block: block index → its prefix keys and values. */
export type LayerPrompts = Map<number, LayerPrefix>;

/** DualPrompt's selection: for each query row [B, D], the index of the key row [T, D] of highest cosine, int32 [B]. */
export function nearestKeys(queries: Tensor, keys: Tensor): Tensor {
  return cosineMatrix(queries, keys).argmax(1);
}

/** DualPrompt's learner: a G-prompt, per-task E-prompts with keys, and the head. */
export class DualPromptLearner extends PromptLearner implements TrueTaskEvaluator {
  /** The shared G-prompt: prefix keys and values [Lg, D] per G layer. */
  readonly g: LayerPrompts = new Map();
  /** e[t]: task t's E-prompt, prefix keys and values [Le, D] per E layer. */
  readonly e: LayerPrompts[] = [];
  /** keys[t]: task t's E-prompt key [D]. */
  readonly keys: Tensor[] = [];

  /** The blocks of the G-prompt and of the E-prompts (dualPromptBlocks of the run's prompted blocks). */
  readonly gLayers: readonly number[];
  readonly eLayers: readonly number[];

  /** A learner with the G-prompt drawn and no task learned; its initial state depends on `seed` only. */
  constructor(...args: LearnerArgs) {
    super(...args);
    const [, cfg, , , seed] = args;
    ({ g: this.gLayers, e: this.eLayers } = dualPromptBlocks(cfg.promptLayers));
    this.assertBlocksExist([...this.gLayers, ...this.eLayers]);
    const rng = new Rng(mixSeeds(seed, 0xd0a1));
    for (const l of this.gLayers) this.g.set(l, this.drawPrefix(rng, DUALPROMPT.gLength));
  }

  private drawPrefix(rng: Rng, length: number): LayerPrefix {
    const shape = [length, this.backbone.dim];
    return { key: uniformParameter(rng, shape), value: uniformParameter(rng, shape) };
  }

  /** How many tasks have an E-prompt. */
  get numTasks(): number {
    return this.e.length;
  }

  /** The prompted blocks and the prefix length in each (G and E lengths add where a block has both). */
  private prefixLength(layer: number): number {
    return (
      (this.gLayers.includes(layer) ? DUALPROMPT.gLength : 0) +
      (this.eLayers.includes(layer) ? DUALPROMPT.eLength : 0)
    );
  }

  private get layers(): number[] {
    return [...new Set([...this.gLayers, ...this.eLayers])].sort((a, b) => a - b);
  }

  /**
   * The prefixes of a batch of `batch` samples: E-prompts [B or 1, Le, D] (from `e`) before the G-prompt, as the
   * official code concatenates them where a block has both.
   */
  private prefixes(e: LayerPrompts, batch: number): Prefixes {
    const out = new Map<number, LayerPrefix>();
    for (const l of this.layers) {
      const parts: LayerPrefix[] = [];
      const ep = e.get(l);
      if (ep) parts.push(ep);
      const gp = this.g.get(l);
      if (gp) parts.push({ key: gp.key.unsqueeze(0), value: gp.value.unsqueeze(0) });
      if (parts.length === 1) out.set(l, parts[0] as LayerPrefix);
      else {
        const widen = (t: Tensor) => t.expand([batch, t.shape[1] as number, t.shape[2] as number]);
        out.set(l, {
          key: concat(
            parts.map((p) => widen(p.key)),
            1,
          ),
          value: concat(
            parts.map((p) => widen(p.value)),
            1,
          ),
        });
      }
    }
    return out;
  }

  /** Task t's E-prompt for a whole batch ([1, Le, D]). */
  private taskE(t: number): LayerPrompts {
    const e = this.e[t];
    if (!e) throw new RangeError(`dualprompt: no E-prompt for task ${t} (tasks: ${this.e.length})`);
    return new Map([...e].map(([l, p]) => [l, { key: p.key.unsqueeze(0), value: p.value.unsqueeze(0) }]));
  }

  /** Per-sample E-prompts [B, Le, D]: sample b gets task taskIds[b]'s. */
  private perSampleE(taskIds: Int32Array): LayerPrompts {
    const ids = tensor(taskIds, { shape: [taskIds.length], dtype: 'int32' });
    const out: LayerPrompts = new Map();
    for (const l of this.eLayers) {
      const pick = (k: 'key' | 'value') =>
        indexSelect(
          stack(
            this.e.map((m) => (m.get(l) as LayerPrefix)[k]),
            0,
          ),
          0,
          ids,
        );
      out.set(l, { key: pick('key'), value: pick('value') });
    }
    return out;
  }

  /** Adds the next task's E-prompt (a copy of the previous task's, uniform for the first) and its key. */
  private addTask(): void {
    // Drawn from the seed and the task only, so a resumed run draws what an uninterrupted one does.
    const rng = new Rng(mixSeeds(this.seed, 0xd0a1, this.e.length));
    const prev = this.e.at(-1);
    const e: LayerPrompts = new Map();
    for (const l of this.eLayers) {
      const p = prev?.get(l);
      e.set(
        l,
        p
          ? { key: copyParameter(p.key), value: copyParameter(p.value) }
          : this.drawPrefix(rng, DUALPROMPT.eLength),
      );
    }
    this.e.push(e);
    this.keys.push(uniformParameter(rng, [this.backbone.dim]));
  }

  /** Trains the G-prompt, task `task`'s E-prompt and key, and the head on the task's samples. */
  async trainTask(
    task: number,
    set: ImageSet,
    indices: Int32Array,
    trainClasses: readonly number[],
    _seenClasses: readonly number[],
    report?: StepReport,
  ): Promise<void> {
    while (this.e.length <= task) this.addTask();
    const e = this.e[task] as LayerPrompts;
    const key = this.keys[task] as Tensor;
    const prompts = [...this.g.values(), ...e.values()].flatMap((p) => [p.key, p.value]);
    await trainPromptTask({
      ...this.taskTraining(task, set, indices, trainClasses, report),
      // The official code trains prompts, keys and head at one learning rate (the shared recipe's prompt rate).
      groups: [
        { params: [...prompts, key], lr: this.cfg.lr },
        { params: this.head.parameters(), lr: this.cfg.lr },
      ],
      forward: (queries) => {
        const batch = queries.shape[0] as number;
        const cos = cosineMatrix(queries, key.unsqueeze(0)).squeeze(1);
        return {
          options: { prefixes: this.prefixes(this.taskE(task), batch) },
          extraLoss: cos.neg().add(1).mean().mul(DUALPROMPT.pullWeight),
        };
      },
    });
  }

  /** The task of each sample: argmax over the seen tasks' keys of cos(query, key). */
  async inferTasks(set: ImageSet, indices: Int32Array): Promise<Int32Array> {
    return this.matchKeys(await queryFeatures(this.backbone, set, indices));
  }

  private async matchKeys(queries: Float32Array): Promise<Int32Array> {
    const D = this.backbone.dim;
    const n = queries.length / D;
    if (this.keys.length === 0) throw new Error('dualprompt: no task learned yet');
    const best = tidy(() => nearestKeys(tensor(queries, { shape: [n, D] }), stack(this.keys, 0)));
    const out = Int32Array.from((await best.data()) as ArrayLike<number>);
    best.dispose();
    return out;
  }

  /** Prompted features [n, D], sample k with task taskIds[k]'s E-prompt (and the G-prompt). */
  features(
    set: ImageSet,
    indices: Int32Array,
    taskIds: Int32Array,
    batchSize = EVAL_BATCH,
  ): Promise<Float32Array> {
    return extractFeatures(this.backbone, set, indices, batchSize, (start, end) => ({
      prefixes: this.prefixes(this.perSampleE(taskIds.subarray(start, end)), end - start),
    }));
  }

  /** Each sample with the E-prompt its query's nearest key selects. */
  async promptedFeatures(set: ImageSet, indices: Int32Array, batchSize = EVAL_BATCH): Promise<Float32Array> {
    return this.features(set, indices, await this.inferTasks(set, indices), batchSize);
  }

  /** Itself: a sample can be given the E-prompt of its true task (oracle and task-IL metrics). */
  override trueTask(): TrueTaskEvaluator {
    return this;
  }

  /** Mass on the G- and E-prefix columns per prompted block, every sample with task `task`'s E-prompt. */
  prefixMass(set: ImageSet, indices: ArrayLike<number>, task: number): Promise<number[]> {
    return promptAttentionMass(
      this.backbone,
      set,
      indices,
      this.layers,
      (l) => this.prefixLength(l),
      (batch): PrefixOptions => ({ prefixes: this.prefixes(this.taskE(task), batch.length) }),
    );
  }

  /** G-prompt, every task's E-prompt and key, and the head. */
  trainableParameters(): number {
    const D = this.backbone.dim;
    const g = this.gLayers.length * 2 * DUALPROMPT.gLength * D;
    const perTask = this.eLayers.length * 2 * DUALPROMPT.eLength * D + D;
    return g + this.e.length * perTask + this.headParameters();
  }

  private named(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [l, p] of this.g) out.push([`g.${l}.key`, p.key], [`g.${l}.value`, p.value]);
    this.e.forEach((e, t) => {
      for (const [l, p] of e) out.push([`e.${t}.${l}.key`, p.key], [`e.${t}.${l}.value`, p.value]);
      out.push([`key.${t}`, this.keys[t] as Tensor]);
    });
    return out;
  }

  /** Its state: the number of tasks, every prompt and key by name, and the head. */
  async state(): Promise<DualPromptState> {
    return {
      tasks: this.e.length,
      prompts: await encodeNamed(this.named()),
      head: await encodeNamed(Object.entries(this.head.stateDict())),
    };
  }

  /** Restores a state() of a learner of the same configuration; throws naming a missing tensor. */
  load(s: DualPromptState): void {
    const dispose = (m: LayerPrompts) => {
      for (const p of m.values()) for (const t of [p.key, p.value]) t.dispose();
    };
    dispose(this.g);
    for (const l of this.gLayers)
      this.g.set(l, {
        key: decodeNamed(s.prompts, `g.${l}.key`),
        value: decodeNamed(s.prompts, `g.${l}.value`),
      });
    for (const e of this.e) dispose(e);
    for (const k of this.keys) k.dispose();
    this.e.length = 0;
    this.keys.length = 0;
    for (let t = 0; t < s.tasks; t++) {
      const e: LayerPrompts = new Map();
      for (const l of this.eLayers)
        e.set(l, {
          key: decodeNamed(s.prompts, `e.${t}.${l}.key`),
          value: decodeNamed(s.prompts, `e.${t}.${l}.value`),
        });
      this.e.push(e);
      this.keys.push(decodeNamed(s.prompts, `key.${t}`));
    }
    loadHead(this.head, s.head);
  }

  /** Frees the prompts, keys and head. */
  dispose(): void {
    for (const [, t] of this.named()) t.dispose();
    this.g.clear();
    this.e.length = 0;
    this.keys.length = 0;
    this.head.dispose();
  }
}

/** DualPrompt's checkpoint: task count, prompts and keys by name, the head's state dict. */
export interface DualPromptState {
  /** How many tasks have an E-prompt. */
  tasks: number;
  /** `g.<block>.key|value`, `e.<task>.<block>.key|value`, `key.<task>`. */
  prompts: Record<string, SavedTensor>;
  /** The head's state dict. */
  head: Record<string, SavedTensor>;
}
