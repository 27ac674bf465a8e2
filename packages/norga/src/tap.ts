/**
 * Task-adaptive prediction (TAP, HiDe-Prompt's third stage), after task t has trained its prefix P_t:
 *
 *   μ_c, Σ_c  = mean and covariance (+ 10⁻⁴·I) of f(x; P_t) over the images of class c, for each class of task t
 *   then, from the second task on, the head h is realigned on replayed features of every seen class:
 *   min  Σ  CE( h(z) + mask_seen , c ),   z ~ N(μ_c, Σ_c),  c ∈ seen classes
 *
 * f(x; P_t) is the class feature with the task's own final prefix and the gate's scores. No image of an old task
 * is kept: the Gaussians are the memory. SGD (weight decay 0), cosine-annealed, as alignClassifier.
 */
import { alignClassifier } from './align.js';
import { extractFeatures } from './features.js';
import { type ClassGaussian, classGaussians } from './gaussian.js';
import { EVAL_BATCH, type Learner, type TaskSamples } from './learner.js';
import { mixSeeds, Rng } from './rng.js';
import type { StepReport } from './train-loop.js';

/** The TAP stage of task `task` of learner `l`, on its `samples`. */
export async function adaptToTask(
  l: Learner,
  task: number,
  { set, indices, trainClasses, seenClasses }: TaskSamples,
  report?: StepReport,
): Promise<void> {
  const cfg = l.cfg;
  // The prefix views are made per batch, inside extractFeatures' scope, so they are freed with it.
  const feats = await extractFeatures(l.backbone, set, indices, EVAL_BATCH, () =>
    l.prefixOptions(l.experts.forTask(l.prefixOf(task))),
  );
  const labels = Int32Array.from(indices, (i) => set.labels[i] as number);
  for (const [c, g] of classGaussians(feats, labels, trainClasses, l.backbone.dim)) l.gaussians.set(c, g);
  if (task === 0) return;
  await alignClassifier({
    forward: (x) => l.head.forward(x),
    params: l.head.parameters(),
    gaussians: new Map(seenClasses.map((c) => [c, l.gaussians.get(c) as ClassGaussian])),
    numClasses: l.numClasses,
    epochs: cfg.caEpochs,
    lr: cfg.caLr,
    weightDecay: 0,
    samplesPerClass: cfg.caSamplesPerClass,
    batchSize: cfg.batchSize,
    rng: new Rng(mixSeeds(l.seed, task, 0xca)),
    onStep: (loss, step, steps, epoch) => report?.('tap-align', loss, step, steps, epoch, cfg.caEpochs),
  });
}
