/**
 * Adam and AdamW, step for step as torch.optim (1.13, single-tensor path):
 *   Adam:  g = g + wd·p (L2)            AdamW: p = p·(1 - lr·wd) (decoupled)
 *   m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  (amsgrad: v̂ = max(v̂, v))
 *   p = p - (lr / (1-β1ᵗ)) · m / (√v / √(1-β2ᵗ) + ε)
 */
import { add, div, maximum, mul, sqrt, sub, type Tensor } from '@norga/tensor';
import { GradError } from '../errors.js';
import { type Group, Optimizer, type ParamState, type ParamsArg } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

type Hyper = {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
};

class AdamBase extends Optimizer<Hyper> {
  constructor(
    params: ParamsArg<Hyper>,
    options: AdamOptions,
    private readonly decoupled: boolean,
    defaultDecay: number,
  ) {
    const h: Hyper = {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: defaultDecay,
      amsgrad: false,
      maximize: false,
      ...options,
    };
    const name = decoupled ? 'AdamW' : 'Adam';
    if (!(h.lr >= 0)) throw new GradError(name, `lr must be >= 0, got ${h.lr}`);
    if (!(h.betas[0] >= 0 && h.betas[0] < 1 && h.betas[1] >= 0 && h.betas[1] < 1))
      throw new GradError(name, `betas must lie in [0, 1), got [${h.betas}]`);
    if (!(h.eps >= 0)) throw new GradError(name, `eps must be >= 0, got ${h.eps}`);
    super(params, h);
  }

  protected update(p: Tensor, grad: Tensor, group: Group<Hyper>, state: ParamState): Tensor {
    const [b1, b2] = group.betas;
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    let g = group.maximize ? mul(grad, -1) : grad;
    let param = p;
    if (group.weightDecay !== 0) {
      if (this.decoupled) param = mul(p, 1 - group.lr * group.weightDecay);
      else g = add(g, mul(p, group.weightDecay));
    }
    const m0 = state.expAvg;
    const v0 = state.expAvgSq;
    const m = this.setState(
      state,
      'expAvg',
      typeof m0 === 'object' ? add(mul(m0, b1), mul(g, 1 - b1)) : mul(g, 1 - b1),
    );
    const g2 = mul(mul(g, 1 - b2), g);
    const v = this.setState(state, 'expAvgSq', typeof v0 === 'object' ? add(mul(v0, b2), g2) : g2);
    let vHat = v;
    if (group.amsgrad) {
      const prev = state.maxExpAvgSq;
      vHat = this.setState(state, 'maxExpAvgSq', typeof prev === 'object' ? maximum(prev, v) : v.share());
    }
    const bc1 = 1 - b1 ** step;
    const bc2 = 1 - b2 ** step;
    const stepSize = group.lr / bc1;
    const denom = add(div(sqrt(vHat), Math.sqrt(bc2)), group.eps);
    return sub(param, mul(div(m, denom), stepSize));
  }
}

export class Adam extends AdamBase {
  constructor(params: ParamsArg<Hyper>, options: AdamOptions = {}) {
    super(params, options, false, 0);
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); default weightDecay 0.01 as PyTorch. */
export class AdamW extends AdamBase {
  constructor(params: ParamsArg<Hyper>, options: AdamOptions = {}) {
    super(params, options, true, 0.01);
  }
}
