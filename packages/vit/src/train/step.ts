/**
 * One supervised training step for a ViT (or any logits function): forward, cross-entropy, backward, AdamW.
 * The loss and the number of correct predictions come back as numbers (the only sync point of a step).
 */
import { AdamW, backward, crossEntropy, detach, noGrad } from '@norga/autograd';
import { type Tensor, tidy } from '@norga/tensor';
import type { ViT } from '../model/vit.js';

/** Settings of createTrainStep. */
export interface TrainStepOptions {
  /** AdamW learning rate (default 1e-3). */
  readonly lr?: number;
  /** AdamW decoupled weight decay (default 0.05). */
  readonly weightDecay?: number;
  /** Cross-entropy label smoothing in [0, 1) (default 0). */
  readonly labelSmoothing?: number;
  /** Parameters to train (default: those of the model that require gradients). */
  readonly params?: readonly Tensor[];
}

/** What one step measured on its batch. */
export interface StepResult {
  /** Mean cross-entropy of the batch, before the update. */
  readonly loss: number;
  /** Correct top-1 predictions in the batch, before the update. */
  readonly correct: number;
}

/** A training step bound to its model and optimiser: call it with a batch. */
export interface TrainStep {
  /** Images [B, C, H, W] and int32 labels [B]: forward, loss, backward, one AdamW update. */
  (images: Tensor, labels: Tensor): Promise<StepResult>;
  /** The step's optimiser (its learning rate can be set per step, e.g. for a schedule). */
  readonly optimizer: AdamW;
  /** Frees the optimiser's state. */
  dispose(): void;
}

/** A supervised training step for `model`: cross-entropy (with optional label smoothing) and AdamW. */
export function createTrainStep(model: ViT, options: TrainStepOptions = {}): TrainStep {
  const params = options.params ?? model.trainableParameters();
  const optimizer = new AdamW(params, { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0.05 });
  const smoothing = options.labelSmoothing ?? 0;
  const step = async (images: Tensor, labels: Tensor): Promise<StepResult> => {
    optimizer.zeroGrad();
    const [loss, correct] = tidy(() => {
      const logits = model.forward(images);
      const l = crossEntropy(logits, labels, { labelSmoothing: smoothing });
      backward(l);
      const c = noGrad(() => logits.argmax(1).eq(labels).cast('float32').sum());
      return [detach(l), c];
    });
    optimizer.step();
    const out = { loss: await loss.item(), correct: await correct.item() };
    loss.dispose();
    correct.dispose();
    return out;
  };
  return Object.assign(step, { optimizer, dispose: () => optimizer.dispose() });
}

/** Runs fn without recording gradients (evaluation). */
export const inference = <T>(fn: () => T): T => noGrad(fn);

/** Number of correct top-1 predictions of the model on a batch, without recording. */
export async function countCorrect(model: ViT, images: Tensor, labels: Tensor): Promise<number> {
  const c = noGrad(() => tidy(() => model.forward(images).argmax(1).eq(labels).cast('float32').sum()));
  const n = await c.item();
  c.dispose();
  return n;
}
