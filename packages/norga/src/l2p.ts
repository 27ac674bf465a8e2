/**
 * L2P, Learning to Prompt (Wang et al., CVPR 2022), on the frozen backbone: a pool of prompts with learnable
 * keys (prompt-pool.ts); each sample's query, the backbone's prefix-free class feature, picks the N prompts with
 * the nearest keys, which are prepended to its tokens (shallow prompt tuning); the classifier reads the mean of
 * the prompt tokens' outputs. One task's training minimises
 *
 *   CE( h(f(x; P_picked(q(x)))) + mask_t , y )  +  λ · mean_x Σ_picked (1 − cos(q(x), k_picked))
 *
 * with mask_t keeping the task's classes (the official train_mask), Adam on the pool (prompts and keys) and the
 * head at the run's rate (constant), gradient clipping. No task identity: the same selection runs at test time.
 */
import { assign_ } from '@norga/autograd';
import type { ImageSet } from '@norga/datasets';
import type { Tensor } from '@norga/tensor';
import type { PrefixOptions } from '@norga/vit';
import { extractFeatures } from './features.js';
import { EVAL_BATCH } from './learner.js';
import {
  decodeNamed,
  encodeNamed,
  featureRows,
  loadHead,
  queryFeatures,
  trainPromptTask,
} from './prompt-family.js';
import { type LearnerArgs, PromptLearner } from './prompt-learner.js';
import { PromptPool, selectByCosine } from './prompt-pool.js';
import { mixSeeds, Rng } from './rng.js';
import type { SavedTensor } from './state.js';
import type { StepReport } from './train-loop.js';

/**
 * L2P's settings: the official configuration (google-research/l2p, configs/cifar100_l2p.py, and the paper's pool);
 * the pool scales with the run's tasks (l2pPool). Epochs, batch size and clipping are the run's (the official 5,
 * 16 per device and 1.0), and so is the learning rate: the official 0.03 is HiDe-Prompt's and DualPrompt's, which
 * the recipe maps to the run's `--lr` (0.05).
 */
export const L2P_SETTINGS = {
  /** Tokens per prompt L: the paper's 5 (the released config uses 10). */
  length: 5,
  /** Weight λ of the pull loss (the official pull_constraint_coeff). */
  pullWeight: 1,
  /** Prompts and keys start U(0, initScale): flax's nn.initializers.uniform(), the official initializer. */
  initScale: 0.01,
} as const;

/** An L2P learner's state as JSON-safe data (the checkpoints' `learner` field). */
export interface L2PState {
  pool: Record<string, SavedTensor>;
  head: Record<string, SavedTensor>;
}

/**
 * L2P's pool for a run of `tasks` tasks: the paper's M = 10 prompts for Split CIFAR-100's 10 tasks, one per task,
 * of which each sample picks N = 5 (the released config 4 of 10), so M = tasks and N = half of them (at least
 * one): 5 and 2 on our 5 tasks, the paper's 10 and 5 on Split CIFAR-100.
 */
export function l2pPool(tasks: number): { poolSize: number; topN: number } {
  if (!Number.isInteger(tasks) || tasks < 1)
    throw new RangeError(`l2p: needs a task count ≥ 1, got ${tasks}`);
  return { poolSize: tasks, topN: Math.max(1, Math.floor(tasks / 2)) };
}

/** L2P over a task sequence (one seed): the prompt pool and the head. */
export class L2PLearner extends PromptLearner {
  readonly pool: PromptPool;
  /** Prompts in the pool (M) and picked per sample (N): l2pPool of the run's tasks. */
  readonly poolSize: number;
  readonly topN: number;

  /** A learner with no task learned; its pool and head depend on `seed` only. */
  constructor(...args: LearnerArgs) {
    super(...args);
    const [, cfg, backbone, , seed] = args;
    const s = L2P_SETTINGS;
    ({ poolSize: this.poolSize, topN: this.topN } = l2pPool(cfg.tasks));
    this.pool = new PromptPool(
      this.poolSize,
      s.length,
      backbone.dim,
      new Rng(mixSeeds(seed, 0x12f0)),
      s.initScale,
    );
  }

  /** Trains the pool and the head on one task's samples (see the file's comment for the loss). */
  async trainTask(
    task: number,
    set: ImageSet,
    indices: Int32Array,
    trainClasses: readonly number[],
    _seenClasses: readonly number[],
    report?: StepReport,
  ): Promise<void> {
    const s = L2P_SETTINGS;
    await trainPromptTask({
      ...this.taskTraining(task, set, indices, trainClasses, report),
      groups: [{ params: [this.pool.prompts, this.pool.keys, ...this.head.parameters()], lr: this.cfg.lr }],
      forward: (queries) => {
        const picks = selectByCosine(queries, this.pool.keys, this.topN);
        return {
          options: this.promptOptions(picks),
          extraLoss: this.pool.pullLoss(queries, picks, s.pullWeight),
        };
      },
    });
  }

  /** The forward options of picks [B, N]: their prompts prepended, the prompt tokens' mean read out. */
  promptOptions(picks: Tensor): PrefixOptions {
    return { prompt: this.pool.gather(picks), readout: 'prompt-mean' };
  }

  /** Each sample's prompted feature [n, D]: its own query picks its prompts (two passes through the backbone). */
  async promptedFeatures(set: ImageSet, indices: Int32Array, batchSize = EVAL_BATCH): Promise<Float32Array> {
    const D = this.backbone.dim;
    const queries = await queryFeatures(this.backbone, set, indices);
    return extractFeatures(this.backbone, set, indices, batchSize, (start, end) => {
      const rows = Int32Array.from({ length: end - start }, (_, k) => start + k);
      return this.promptOptions(selectByCosine(featureRows(queries, rows, D), this.pool.keys, this.topN));
    });
  }

  /** Not measured: the prompt is in the token sequence, not in prefix columns (reported as no layers). */
  async prefixMass(): Promise<number[]> {
    return [];
  }

  /** The pool's prompts and keys and the head. */
  trainableParameters(): number {
    const s = L2P_SETTINGS;
    const D = this.backbone.dim;
    return this.poolSize * s.length * D + this.poolSize * D + this.headParameters();
  }

  /** The pool and the head, for a checkpoint. */
  async state(): Promise<L2PState> {
    return {
      pool: await encodeNamed(this.pool.parameters()),
      head: await encodeNamed(Object.entries(this.head.stateDict())),
    };
  }

  /** Restores a state() of a learner built with the same settings, backbone and class count. */
  load(state: object): void {
    const s = state as L2PState;
    for (const [name, t] of this.pool.parameters()) {
      const value = decodeNamed(s.pool, name);
      try {
        if (value.shape.join() !== t.shape.join()) {
          throw new Error(
            `checkpoint: ${name} is [${value.shape.join(', ')}], the pool needs [${t.shape.join(', ')}]`,
          );
        }
        assign_(t, value);
      } finally {
        value.dispose();
      }
    }
    loadHead(this.head, s.head);
  }

  /** Frees the pool and the head (the backbone is the caller's). */
  dispose(): void {
    this.pool.dispose();
    this.head.dispose();
  }
}
