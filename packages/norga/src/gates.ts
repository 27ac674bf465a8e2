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
import type { PrefixScore } from '@norga/vit';
import type { GateKind } from './config.js';

/** σ(z) of a NoRGa gate, elementwise: tanh, the logistic sigmoid, exact GELU, or z itself (the control). */
function applySigma(kind: Exclude<GateKind, 'linear'>, z: Tensor): Tensor {
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

/** The NoRGa score s + α·σ(τ·s) of prefix scores `s` (any shape), α and τ broadcast from [1]. */
export function norgaScore(kind: Exclude<GateKind, 'linear'>, s: Tensor, alpha: Tensor, tau: Tensor): Tensor {
  return s.add(alpha.mul(applySigma(kind, tau.mul(s))));
}

/** One method's gate: its σ and, for NoRGa, a learnable (α, τ) per prompted layer. */
export class Gate {
  readonly kind: GateKind;
  /** Layer index → α, a [1] tensor; empty for the linear gate. */
  readonly alpha = new Map<number, Tensor>();
  /** Layer index → τ, a [1] tensor; empty for the linear gate. */
  readonly tau = new Map<number, Tensor>();

  /** α = τ = 1 at each of `layers` (none for the linear gate), as the official code initialises them. */
  constructor(kind: GateKind, layers: readonly number[], dtype: DType = 'float32') {
    this.kind = kind;
    if (kind === 'linear') return;
    for (const l of layers) {
      this.alpha.set(l, keep(full([1], 1, { dtype })));
      this.tau.set(l, keep(full([1], 1, { dtype })));
    }
  }

  /**
   * The prefix score the ViT's attention applies at `layer` (@norga/vit's PrefixScore): s + α·σ(τ·s) with that
   * layer's (α, τ), or s itself for the linear gate. Throws a RangeError for a layer that has no gate.
   */
  readonly score: PrefixScore = (s, layer) => {
    const kind = this.kind;
    if (kind === 'linear') return s;
    const a = this.alpha.get(layer);
    const t = this.tau.get(layer);
    if (!a || !t)
      throw new RangeError(
        `gate: layer ${layer} is not a prompted layer (prompted: ${[...this.alpha.keys()].join(', ')})`,
      );
    return norgaScore(kind, s, a, t);
  };

  /** Every learnable tensor with its state name (`gate.alpha.<layer>`, then `gate.tau.<layer>`). */
  parameters(): [string, Tensor][] {
    return [
      ...[...this.alpha].map(([l, t]) => [`gate.alpha.${l}`, t] as [string, Tensor]),
      ...[...this.tau].map(([l, t]) => [`gate.tau.${l}`, t] as [string, Tensor]),
    ];
  }

  /**
   * Replaces every (α, τ) by the tensor `named` gives for its state name, taking ownership; throws naming the
   * first parameter it lacks.
   */
  load(named: (name: string) => Tensor | undefined): void {
    for (const [store, what] of [
      [this.alpha, 'alpha'],
      [this.tau, 'tau'],
    ] as const) {
      for (const l of [...store.keys()]) {
        const saved = named(`gate.${what}.${l}`);
        if (!saved) throw new Error(`checkpoint: gate parameter gate.${what}.${l} is missing`);
        store.get(l)?.dispose();
        store.set(l, keep(saved));
      }
    }
  }

  /** Frees α and τ. */
  dispose(): void {
    for (const [, t] of this.parameters()) t.dispose();
  }
}
