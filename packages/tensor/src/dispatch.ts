/**
 * The hook through which autograd (a separate package) sees every primitive op. `tensor` never imports
 * autograd: autograd installs a recorder here, and each primitive reports itself after it has run.
 *
 * Primitives and their attrs (inputs are in call order; scalars given as numbers arrive as 0-d tensors):
 *   unary (one input):  neg exp log sqrt reciprocal sin cos tanh erf abs          attrs {}
 *   binary (two):       add sub mul div max min pow cmplt cmpeq                    attrs {}
 *   where [cond, a, b]                                                              attrs {}
 *   cast                                                                            attrs { dtype }
 *   sum / max / min / argmax / argmin (reductions; op names prefixed 'reduce.')    attrs { axes, keepdim }
 *   matmul [a, b] (rank >= 2, batch dims broadcast)                                 attrs {}
 *   reshape                                                                         attrs { shape }
 *   permute                                                                         attrs { dims }
 *   expand                                                                          attrs { shape }
 *   slice                                                                           attrs { axis, start, end, step }
 *   contiguous                                                                      attrs {}
 *   pad                                                                             attrs { pads, value }
 *   concat [...parts]                                                               attrs { axis }
 *   gather [x, index]                                                               attrs { axis }
 *   scatterAdd [x, index, src]                                                      attrs { axis }
 *   fused [...inputs] (an elementwise expression tree compiled as one kernel)       attrs { expr }
 *   softmax / logSoftmax [x] (composites with closed-form gradients)               attrs { axis }
 *   attention [q, k, v] (composite, or one fused kernel where the backend has one)   attrs { scale, probs }
 *   layerNorm [x, weight?, bias?]                                                   attrs { axes, eps, weight, bias,
 *                                                          mean, rstd (its statistics, live only while recording) }
 * Creation ops (full, arange, rand, ...) have no inputs and are not reported.
 */
import type { Tensor } from './tensor.js';

/** One primitive op as reported to the recorder: its name, inputs, attributes and output. */
export interface OpRecord {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly output: Tensor;
}

/** Receives every primitive op as it runs (autograd installs one). */
export type OpRecorder = (record: OpRecord) => void;

let recorder: OpRecorder | null = null;
let paused = 0;

/** Installs (or with null, removes) the recorder. Returns the previous one. */
export function setOpRecorder(r: OpRecorder | null): OpRecorder | null {
  const prev = recorder;
  recorder = r;
  return prev;
}

/** Reports a primitive that has run. Called by the front-end ops only. */
export function record(
  op: string,
  inputs: readonly Tensor[],
  attrs: Record<string, unknown>,
  output: Tensor,
): void {
  if (recorder !== null && paused === 0) recorder({ op, inputs, attrs, output });
}

/**
 * Runs fn without reporting its ops: composites use this for values that are constants to the maths, such
 * as the max subtracted inside softmax for stability (softmax is shift-invariant, so it has no gradient).
 */
export function untracked<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}
