/**
 * Gates: how the scores of the prefix experts are computed from their linear scores s = q·p^K / sqrt(d).
 *
 *   linear (prefix tuning):  s' = s
 *   NoRGa:                   s' = s + alpha · sigma(tau · s),   sigma ∈ {tanh, sigmoid, gelu}
 *   control (norga-linear):  s' = s + alpha · tau · s            (sigma = identity: a rescaling, not a gate)
 *
 * The official code keeps one (alpha, tau) pair per prompted layer, shared by heads, positions and tasks,
 * initialised to 1. Each is its own [1]-shaped leaf here, so a layer's pair can be frozen, saved and checked on
 * its own; state names are `gate.alpha.<layer>` and `gate.tau.<layer>`.
 */
import { type DType, full, gelu, keep, sigmoid, type Tensor, tanh } from '@norga/tensor';
import type { GateKind } from './config.js';

/** Maps the prefix block of the scores (any shape) to its gated scores. */
export type ScoreFunction = (s: Tensor) => Tensor;

export const identityScore: ScoreFunction = (s) => s;

export function applySigma(kind: Exclude<GateKind, 'linear'>, z: Tensor): Tensor {
  switch (kind) {
    case 'tanh':
      return tanh(z);
    case 'sigmoid':
      return sigmoid(z);
    case 'gelu':
      return gelu(z); // exact (erf) GELU, as torch.nn.GELU()
    case 'identity':
      return z;
  }
}

/** s + alpha·sigma(tau·s), alpha and tau broadcast from [1]. */
export function norgaScore(kind: Exclude<GateKind, 'linear'>, s: Tensor, alpha: Tensor, tau: Tensor): Tensor {
  return s.add(alpha.mul(applySigma(kind, tau.mul(s))));
}

export class Gate {
  readonly kind: GateKind;
  /** Layer index → [1] tensors; empty for the linear gate. */
  readonly alpha = new Map<number, Tensor>();
  readonly tau = new Map<number, Tensor>();

  constructor(kind: GateKind, layers: readonly number[], dtype: DType = 'float32') {
    this.kind = kind;
    if (kind === 'linear') return;
    for (const l of layers) {
      this.alpha.set(l, keep(full([1], 1, { dtype })));
      this.tau.set(l, keep(full([1], 1, { dtype })));
    }
  }

  /** The score function the attention of `layer` applies to its prefix columns. */
  scoreFor(layer: number): ScoreFunction {
    const kind = this.kind;
    if (kind === 'linear') return identityScore;
    const a = this.alpha.get(layer);
    const t = this.tau.get(layer);
    if (!a || !t)
      throw new RangeError(
        `gate: layer ${layer} is not a prompted layer (prompted: ${[...this.alpha.keys()].join(', ')})`,
      );
    return (s) => norgaScore(kind, s, a, t);
  }

  /** Every learnable tensor with its state name. */
  parameters(): [string, Tensor][] {
    return [
      ...[...this.alpha].map(([l, t]) => [`gate.alpha.${l}`, t] as [string, Tensor]),
      ...[...this.tau].map(([l, t]) => [`gate.tau.${l}`, t] as [string, Tensor]),
    ];
  }

  dispose(): void {
    for (const [, t] of this.parameters()) t.dispose();
  }
}
