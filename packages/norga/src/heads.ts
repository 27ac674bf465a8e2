/**
 * The small networks on top of the frozen backbone's class feature.
 *
 * - ClassifierHead: one linear layer over all classes (the within-task / task-adaptive head), initialised as
 *   timm's ViT head: weights trunc_normal(std 0.02), bias 0.
 * - TiiNetwork: HiDe-Prompt's task-identity network: a residual MLP (D → 2D → D, GELU, + input, LayerNorm) and a
 *   linear layer over all classes, on the prefix-free ("uninstructed") feature.
 */
import { init, LayerNorm, Linear, Module } from '@norga/autograd';
import { type DType, gelu, type Tensor } from '@norga/tensor';

/** The classifier over all classes: logits = W f + b. */
export class ClassifierHead extends Module {
  /** The linear layer, D → numClasses. */
  readonly head: Linear;

  /** A head for features of width `dim` over `numClasses` classes, drawn from the current tensor seed. */
  constructor(dim: number, numClasses: number, dtype: DType = 'float32') {
    super();
    this.head = this.registerModule('head', new Linear(dim, numClasses, { dtype }));
    init.truncNormal_(this.head.weight, { std: 0.02 });
    if (this.head.bias) init.zeros_(this.head.bias);
  }

  /** Features [B, D] → logits [B, numClasses]. */
  forward(features: Tensor): Tensor {
    return this.head.forward(features);
  }
}

/** The task-identity network: h = LayerNorm(x + fc2(GELU(fc1(x)))), logits = head(h). */
export class TiiNetwork extends Module {
  /** D → 2D. */
  readonly fc1: Linear;
  /** 2D → D. */
  readonly fc2: Linear;
  /** LayerNorm over D, after the residual. */
  readonly norm: LayerNorm;
  /** D → numClasses. */
  readonly head: Linear;

  /** A network for features of width `dim` over `numClasses` classes, drawn from the current tensor seed. */
  constructor(dim: number, numClasses: number, dtype: DType = 'float32') {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(dim, 2 * dim, { dtype }));
    this.fc2 = this.registerModule('fc2', new Linear(2 * dim, dim, { dtype }));
    this.norm = this.registerModule('norm', new LayerNorm(dim, { dtype, eps: 1e-6 }));
    this.head = this.registerModule('head', new Linear(dim, numClasses, { dtype }));
  }

  /** Prefix-free features [B, D] → logits [B, numClasses]. */
  forward(features: Tensor): Tensor {
    const h = this.fc2.forward(gelu(this.fc1.forward(features)));
    return this.head.forward(this.norm.forward(h.add(features)));
  }
}
