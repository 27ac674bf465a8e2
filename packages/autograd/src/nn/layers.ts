/** The standard layers: Linear, LayerNorm, Dropout, Embedding and the activations. Each initialises as PyTorch does. */

import {
  add,
  assertLive,
  type DType,
  ge,
  gelu,
  indexSelect,
  layerNorm,
  matmul,
  mul,
  ones,
  rand,
  relu,
  reshape,
  sigmoid,
  type Tensor,
  tanh,
  tidy,
  transpose,
  where,
  zeros,
} from '@norga/tensor';
import { alias } from '../engine/alias.js';
import { noGrad } from '../engine/mode.js';
import { describe, GradError } from '../errors.js';
import { normal_, uniform_ } from './init.js';
import { type Layer, Module } from './module.js';

/** Where a layer makes its parameters: dtype (default float32) and backend (default the current one). */
export interface FactoryOptions {
  dtype?: DType;
  backend?: string;
}

/**
 * y = x Wᵀ + b, with W of shape [out, in] (PyTorch's layout, so checkpoints load unchanged). Initialised as
 * torch.nn.Linear: W and b uniform on ±1/√in (kaiming_uniform with a = √5 reduces to that bound).
 */
export class Linear extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: FactoryOptions & { bias?: boolean } = {},
  ) {
    super();
    const o = { dtype: options.dtype ?? 'float32', backend: options.backend };
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.weight = this.registerParameter(
      'weight',
      uniform_(zeros([outFeatures, inFeatures], o), -bound, bound),
    );
    this.bias =
      options.bias === false
        ? null
        : this.registerParameter('bias', uniform_(zeros([outFeatures], o), -bound, bound));
  }

  /** x·Wᵀ + b over the last axis. */
  forward(x: Tensor): Tensor {
    assertLive('Linear', x, 'x'); // before x.shape: model(promise) names the missing await
    const last = x.shape[x.rank - 1];
    if (x.rank === 0 || last !== this.inFeatures) {
      throw new GradError('Linear', `expects [..., ${this.inFeatures}], got ${describe(x)}`);
    }
    // Flatten the batch dims so the product (and its gradient for W) is one 2-D matmul.
    const flat = x.rank === 2 ? x : reshape(x, [-1, this.inFeatures]);
    const wt = transpose(this.weight, 0, 1);
    const y = matmul(flat, wt);
    const yb = this.bias ? add(y, this.bias) : y;
    const out = x.rank === 2 ? yb : reshape(yb, [...x.shape.slice(0, -1), this.outFeatures]);
    for (const t of [flat, wt, y, yb]) if (t !== x && t !== out) t.dispose();
    return out;
  }
}

/** Layer normalisation over the trailing `normalizedShape` dims; weight 1 and bias 0 at start (as PyTorch). */
export class LayerNorm extends Module implements Layer {
  readonly normalizedShape: readonly number[];
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(
    normalizedShape: number | readonly number[],
    readonly options: FactoryOptions & { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    const o = { dtype: options.dtype ?? 'float32', backend: options.backend };
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? this.registerParameter('weight', ones(this.normalizedShape, o)) : null;
    this.bias =
      affine && options.bias !== false
        ? this.registerParameter('bias', zeros(this.normalizedShape, o))
        : null;
  }

  get eps(): number {
    return this.options.eps ?? 1e-5;
  }

  /** Normalises over the trailing normalizedShape axes, then scales and shifts. */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight ?? undefined, this.bias ?? undefined, this.eps);
  }
}

/**
 * Dropout: in training, zeroes each element with probability p and scales the rest by 1/(1-p); in eval, the
 * identity. The mask comes from `@norga/tensor`'s global seeded generator, so `manualSeed` makes runs repeat.
 */
export class Dropout extends Module implements Layer {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new GradError('Dropout', `p must lie in [0, 1], got ${p}`);
  }

  /** Zeroes each element with probability p and scales the rest by 1/(1-p) in training; the identity in eval mode. */
  forward(x: Tensor): Tensor {
    assertLive('Dropout', x, 'x');
    if (!this.training || this.p === 0) return alias(x);
    const r = noGrad(() => rand(x.shape, { dtype: x.dtype, backend: x.backend.name }));
    const keep = ge(r, this.p);
    const scaled = mul(x, this.p === 1 ? 0 : 1 / (1 - this.p));
    const out = where(keep, scaled, 0);
    for (const t of [r, keep, scaled]) t.dispose();
    return out;
  }
}

/** GELU, exact (erf) by default or the tanh approximation. */
export class GELU extends Module implements Layer {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }

  /** gelu(x) (exact, or the tanh approximation). */
  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }
}

/**
 * A module without parameters that applies one function to its input: the activations below, as modules
 * (for Sequential). A subclass names the function.
 */
export abstract class Activation extends Module implements Layer {
  /** The function forward applies. */
  protected abstract readonly fn: (x: Tensor) => Tensor;

  /** fn(x). */
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

/** Returns its input (a new handle on it, still in the graph, so the caller may dispose input and output independently). */
export class Identity extends Activation {
  protected readonly fn = alias;
}
/** max(x, 0), as a module. */
export class ReLU extends Activation {
  protected readonly fn = relu;
}
/** tanh(x), as a module. */
export class Tanh extends Activation {
  protected readonly fn = tanh;
}
/** sigmoid(x), as a module. */
export class Sigmoid extends Activation {
  protected readonly fn = sigmoid;
}

/**
 * A lookup table: row i of `weight` [num, dim] for each index (int32, any shape) → [...indices.shape, dim].
 * Initialised N(0, 1) as torch.nn.Embedding; the gradient adds into the looked-up rows (gather's adjoint).
 */
export class Embedding extends Module implements Layer {
  readonly weight: Tensor;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: FactoryOptions = {},
  ) {
    super();
    const o = { dtype: options.dtype ?? 'float32', backend: options.backend };
    this.weight = this.registerParameter('weight', normal_(zeros([numEmbeddings, embeddingDim], o)));
  }

  /** The embedding rows of int32 `indices`: shape [...indices.shape, dim]. */
  forward(indices: Tensor): Tensor {
    if (indices.dtype !== 'int32')
      throw new GradError('Embedding', `indices must be int32, got ${describe(indices)}`);
    // tidy: an index out of range throws inside indexSelect, and the flattened indices must not leak then.
    return tidy(() =>
      reshape(indexSelect(this.weight, 0, reshape(indices, [-1])), [...indices.shape, this.embeddingDim]),
    );
  }
}
