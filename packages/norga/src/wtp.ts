/**
 * Within-task prediction (WTP, HiDe-Prompt's second stage): task t learns its prefix P_t and the head h (and,
 * while the gate learns, NoRGa's α, τ) from its own images only:
 *
 *   min  Σ_batches  CE( h(f(x; P̃_t)) + mask_t , y )  +  λ · R( f(x; P̃_t), prototypes )
 *
 *   f(x; P)    the frozen ViT's class feature with prefix P and the gate's scores in every prompted layer
 *   P̃_t        (1 − m)·P_t + m·mean(P_<t), the prompt ensemble (m = 0 outside HiDe); P_t ← P̃_t after the task
 *   mask_t     keeps the logits of the task's classes
 *   R          the contrastive regulariser against the class means of earlier tasks (λ = 0 outside HiDe)
 *
 * Earlier prefixes are frozen experts. Adam, the head at `headLrScale` × the prompt's rate (HiDe's
 * larger_prompt_lr), gradient-norm clipping.
 */
import { Adam } from '@norga/autograd';
import { tensor } from '@norga/tensor';
import { imagesTensor } from './features.js';
import type { Learner, TaskSamples } from './learner.js';
import { classificationLoss, contrastiveRegulariser, maskBias } from './losses.js';
import { mixSeeds, Rng } from './rng.js';
import { type StepReport, trainMinibatches } from './train-loop.js';

/**
 * Trains task `task` of learner `l` on its `samples`. `stepBudget` caps the optimiser steps (default: `epochs`
 * passes over the samples; the joint upper bound sets it).
 */
export async function trainWithinTask(
  l: Learner,
  task: number,
  { set, indices, trainClasses }: TaskSamples,
  report?: StepReport,
  stepBudget?: number,
): Promise<void> {
  const cfg = l.cfg;
  const p = l.prefixOf(task);
  if (p === l.experts.numTasks) l.experts.addTask(new Rng(mixSeeds(l.seed, 0x9e3f)));
  const gateLearns = l.method.gate !== 'linear' && (task === 0 || cfg.gateLearning === 'every-task');
  const prefixParams = l.experts.taskParameters(p).map(([, x]) => x);
  const gateParams = gateLearns ? l.gate.parameters().map(([, x]) => x) : [];
  const headParams = l.head.parameters();
  // The joint upper bound trains its head at the prompt's rate.
  const headLr = l.method.pipeline === 'joint' ? cfg.lr : cfg.lr * cfg.headLrScale;
  const momentum = l.hide ? cfg.promptMomentum : 0;
  const reg = l.hide ? cfg.reg : 0;
  const mask = maskBias(l.numClasses, trainClasses);
  const prototypes = reg > 0 ? previousMeans(l, trainClasses) : null;
  const n = indices.length;
  const steps = Math.ceil(n / cfg.batchSize);
  const epochs = stepBudget === undefined ? cfg.epochs : Math.ceil(stepBudget / steps);
  try {
    await trainMinibatches({
      n,
      batchSize: cfg.batchSize,
      epochs,
      ...(stepBudget === undefined ? {} : { maxSteps: stepBudget }),
      params: [...prefixParams, ...gateParams, ...headParams],
      optimizer: new Adam([
        { params: [...prefixParams, ...gateParams], lr: cfg.lr },
        { params: headParams, lr: headLr },
      ]),
      clipGrad: cfg.clipGrad,
      // The data order depends on (seed, task, epoch) only: every method sees the same batches.
      epochOrder: (epoch) => new Rng(mixSeeds(l.seed, task, epoch, 0xda7a)).permutation(n),
      loss: (rows) => {
        const batch = Array.from(rows, (r) => indices[r] as number);
        const x = imagesTensor(l.backbone, set, batch);
        const y = tensor(
          Int32Array.from(batch, (i) => set.labels[i] as number),
          { shape: [batch.length], dtype: 'int32' },
        );
        const f = l.backbone.features(x, { prefixes: l.experts.training(p, momentum), score: l.gate.score });
        const ce = classificationLoss(l.head.forward(f).add(mask), y);
        return reg > 0 ? ce.add(contrastiveRegulariser(f, prototypes).mul(reg)) : ce;
      },
      onStep: (loss, step, steps, epoch, epochs, batch) =>
        report?.('wtp', loss, step, steps, epoch, epochs, batch),
    });
  } finally {
    mask.dispose();
    prototypes?.dispose();
  }
  l.experts.finishTask(p, momentum);
}

/** The prototypes of the regulariser: the means [K, D] of the classes learned before (null when none). */
function previousMeans(l: Learner, trainClasses: readonly number[]) {
  const classes = [...l.gaussians.keys()].filter((c) => !trainClasses.includes(c)).sort((a, b) => a - b);
  if (classes.length === 0) return null;
  const means = Float32Array.from(classes.flatMap((c) => Array.from(l.gaussians.get(c)?.mean ?? [])));
  return tensor(means, { shape: [classes.length, l.backbone.dim] });
}
