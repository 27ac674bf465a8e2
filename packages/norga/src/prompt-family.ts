/**
 * What the key-query prompt methods (DualPrompt, CODA-Prompt) share: the seeded classifier head, cosine
 * similarity, parameter creation and (de)serialisation, the masked argmax, and one within-task training step
 * (masked cross-entropy over the task's classes plus the method's own term) over the run's shared loop.
 * The query of both is the frozen backbone's prefix-free [CLS] feature, computed once per task (the backbone is
 * frozen, so it is the same in every epoch).
 */
import { Adam, noGrad, requiresGrad_ } from '@norga/autograd';
import type { ImageSet } from '@norga/datasets';
import { keep, manualSeed, type Tensor, tensor, tidy, untracked } from '@norga/tensor';
import type { PrefixOptions } from '@norga/vit';
import type { Backbone } from './backbone.js';
import { extractFeatures, imagesTensor } from './features.js';
import { ClassifierHead } from './heads.js';
import { EVAL_BATCH, type LearnerConfig } from './learner.js';
import { classificationLoss, maskBias } from './losses.js';
import { mixSeeds, Rng } from './rng.js';
import { decodeTensor, encodeTensor, type SavedTensor } from './state.js';
import { type StepReport, trainMinibatches } from './train-loop.js';

/** The classifier head every method of a seed starts from (as learner.ts's): weights drawn from the seed only. */
export function seededHead(dim: number, numClasses: number, seed: number): ClassifierHead {
  manualSeed(mixSeeds(seed, 0x4ead));
  return new ClassifierHead(dim, numClasses);
}

/** x / max(‖x‖, 1e-12) along the last axis (torch.nn.functional.normalize). */
export function unitRows(x: Tensor): Tensor {
  return x.div(x.square().sum(-1, true).sqrt().maximum(1e-12));
}

/** Cosine similarity of each query row [B, D] with each key row [K, D]: [B, K]. */
export function cosineMatrix(queries: Tensor, keys: Tensor): Tensor {
  return unitRows(queries).matmul(unitRows(keys).transpose(0, 1));
}

/** A kept float32 parameter of `shape`, uniform(low, high) from `rng`. */
export function uniformParameter(rng: Rng, shape: readonly number[], low = -1, high = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniformIn(low, high);
  return keep(tensor(data, { shape: [...shape] }));
}

/** A kept copy of `t` with its own storage, made without recording (a new leaf). */
export function copyParameter(t: Tensor): Tensor {
  return keep(untracked(() => t.mul(1)));
}

/** Named tensors as SavedTensors. */
export async function encodeNamed(pairs: readonly [string, Tensor][]): Promise<Record<string, SavedTensor>> {
  return Object.fromEntries(
    await Promise.all(pairs.map(async ([k, t]) => [k, await encodeTensor(t)] as const)),
  );
}

/** The kept tensor `store[name]`; throws naming the parameter when the state lacks it. */
export function decodeNamed(store: Record<string, SavedTensor> | undefined, name: string): Tensor {
  const s = store?.[name];
  if (s === undefined) throw new Error(`checkpoint: ${name} is missing`);
  return keep(decodeTensor(s));
}

/** Restores `head` from its saved state dict; as at the end of a task, nothing of it requires gradients. */
export function loadHead(head: ClassifierHead, saved: Record<string, SavedTensor> | undefined): void {
  const state = Object.fromEntries(Object.keys(saved ?? {}).map((k) => [k, decodeNamed(saved, k)]));
  head.loadStateDict(state);
  for (const t of Object.values(state)) t.dispose();
  for (const x of head.parameters()) requiresGrad_(x, false);
}

/** The head's predicted class of each row of `feats` [n, D], over `classes` only. */
export async function classifyRows(
  head: ClassifierHead,
  feats: Float32Array,
  dim: number,
  numClasses: number,
  classes: readonly number[],
): Promise<Int32Array> {
  const n = feats.length / dim;
  const mask = maskBias(numClasses, classes);
  const pred = tidy(() =>
    noGrad(() =>
      head
        .forward(tensor(feats, { shape: [n, dim] }))
        .add(mask)
        .argmax(1),
    ),
  );
  const out = Int32Array.from((await pred.data()) as ArrayLike<number>);
  pred.dispose();
  mask.dispose();
  return out;
}

/** The prefix-free [CLS] features (the queries) of samples `indices`, [n, D]. */
export function queryFeatures(
  backbone: Backbone,
  set: ImageSet,
  indices: ArrayLike<number>,
): Promise<Float32Array> {
  return extractFeatures(backbone, set, indices, EVAL_BATCH);
}

/** Rows `rows` of `feats` [n, D] as a [B, D] tensor. */
export function featureRows(feats: Float32Array, rows: ArrayLike<number>, dim: number): Tensor {
  const out = new Float32Array(rows.length * dim);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k] as number;
    out.set(feats.subarray(r * dim, (r + 1) * dim), k * dim);
  }
  return tensor(out, { shape: [rows.length, dim] });
}

/** One task's training of a key-query prompt method. */
export interface PromptTaskTraining {
  backbone: Backbone;
  cfg: Pick<LearnerConfig, 'epochs' | 'batchSize' | 'clipGrad'>;
  seed: number;
  task: number;
  set: ImageSet;
  indices: Int32Array;
  trainClasses: readonly number[];
  numClasses: number;
  head: ClassifierHead;
  /** The parameter groups Adam steps, each with its learning rate (the head's among them). */
  groups: { params: Tensor[]; lr: number }[];
  /**
   * The forward options of a batch and the method's extra loss term (or null), given the batch's queries [B, D]
   * (prefix-free features of its images).
   */
  forward(queries: Tensor): { options: PrefixOptions; extraLoss: Tensor | null };
  report?: StepReport;
}

/**
 * Trains one task: for each batch, CE(head(f(x; prompts)) + mask over the task's classes, y) + the method's extra
 * term, Adam over the groups, gradient-norm clipping; the data order is the one every method of the seed sees.
 */
export async function trainPromptTask(o: PromptTaskTraining): Promise<void> {
  const { backbone, set, indices } = o;
  const queries = await queryFeatures(backbone, set, indices);
  const mask = maskBias(o.numClasses, o.trainClasses);
  const n = indices.length;
  try {
    await trainMinibatches({
      n,
      batchSize: o.cfg.batchSize,
      epochs: o.cfg.epochs,
      params: o.groups.flatMap((g) => g.params),
      optimizer: new Adam(o.groups.map((g) => ({ params: g.params, lr: g.lr }))),
      clipGrad: o.cfg.clipGrad,
      // As wtp.ts: the data order depends on (seed, task, epoch) only.
      epochOrder: (epoch) => new Rng(mixSeeds(o.seed, o.task, epoch, 0xda7a)).permutation(n),
      loss: (rows) => {
        const batch = Array.from(rows, (r) => indices[r] as number);
        const x = imagesTensor(backbone, set, batch);
        const y = tensor(
          Int32Array.from(batch, (i) => set.labels[i] as number),
          { shape: [batch.length], dtype: 'int32' },
        );
        const { options, extraLoss } = o.forward(featureRows(queries, rows, backbone.dim));
        const ce = classificationLoss(o.head.forward(backbone.features(x, options)).add(mask), y);
        return extraLoss ? ce.add(extraLoss) : ce;
      },
      onStep: (loss, step, steps, epoch, epochs, batch) =>
        o.report?.('wtp', loss, step, steps, epoch, epochs, batch),
    });
  } finally {
    mask.dispose();
  }
}
