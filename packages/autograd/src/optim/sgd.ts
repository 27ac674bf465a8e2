/**
 * SGD with momentum, dampening, Nesterov momentum and (L2) weight decay, in torch.optim.SGD's order:
 *   d = g + wd·p;  b = d (first step) or μ·b + (1-τ)·d;  d = d + μ·b (Nesterov) or b;  p = p - lr·d.
 */
import { add, mul, sub, type Tensor } from '@norga/tensor';
import { GradError } from '../errors.js';
import { type Group, Optimizer, type ParamState, type ParamsArg } from './optimizer.js';

/** Options of SGD, as torch.optim.SGD: lr, momentum, dampening, weightDecay, nesterov, maximize. */
export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  /** Ascend instead of descend. */
  maximize?: boolean;
}

type Hyper = Required<SGDOptions>;

/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD). */
export class SGD extends Optimizer<Hyper> {
  constructor(params: ParamsArg<Hyper>, options: SGDOptions) {
    const h: Hyper = {
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      ...options,
    };
    if (!(h.lr >= 0)) throw new GradError('SGD', `lr must be >= 0, got ${h.lr}`);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0))
      throw new GradError('SGD', 'Nesterov momentum requires momentum > 0 and dampening 0');
    super(params, h);
  }

  protected update(p: Tensor, g: Tensor, group: Group<Hyper>, state: ParamState): Tensor {
    let d = group.maximize ? mul(g, -1) : g;
    if (group.weightDecay !== 0) d = add(d, mul(p, group.weightDecay));
    if (group.momentum !== 0) {
      const prev = state.momentumBuffer;
      const buf =
        typeof prev === 'object'
          ? add(mul(prev, group.momentum), mul(d, 1 - group.dampening))
          : d === g
            ? g.share()
            : d;
      this.setState(state, 'momentumBuffer', buf);
      d = group.nesterov ? add(d, mul(buf, group.momentum)) : buf;
    }
    return sub(p, mul(d, group.lr));
  }
}
