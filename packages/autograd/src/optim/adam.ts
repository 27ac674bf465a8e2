/**
 * Adam and AdamW, step for step as torch.optim (1.13, single-tensor path):
 *   Adam:  g = g + wd·p (L2)            AdamW: p = p·(1 - lr·wd) (decoupled)
 *   m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  (amsgrad: v̂ = max(v̂, v))
 *   p = p - (lr / (1-β1ᵗ)) · m / (√v / √(1-β2ᵗ) + ε)
 * Each line runs as one fused elementwise kernel (three passes over memory per parameter instead of a dozen).
 * Values that change from step to step (bias corrections, a scheduled lr) enter as 0-d tensor inputs, not as
 * constants, so the kernels are compiled once.
 */
import { type expr as E, expr, full, fused, maximum, type Tensor, zerosLike } from '@norga/tensor';
import { GradError } from '../errors.js';
import { type Group, Optimizer, type ParamState, type ParamsArg } from './optimizer.js';

/** Options of Adam and AdamW, as torch.optim (lr 1e-3, betas [0.9, 0.999], eps 1e-8). */
export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

/** The hyper-parameters of one Adam parameter group. */
export type AdamHyper = {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
};
type Expr = E.Expr;

const { input, bin, un } = expr;
const add = (a: Expr, b: Expr) => bin('add', a, b);
const sub = (a: Expr, b: Expr) => bin('sub', a, b);
const mul = (a: Expr, b: Expr) => bin('mul', a, b);
const div = (a: Expr, b: Expr) => bin('div', a, b);

class AdamBase extends Optimizer<AdamHyper> {
  constructor(
    params: ParamsArg<AdamHyper>,
    options: AdamOptions,
    private readonly decoupled: boolean,
    defaultDecay: number,
  ) {
    const h: AdamHyper = {
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

  protected update(p: Tensor, grad: Tensor, group: Group<AdamHyper>, state: ParamState): Tensor {
    const [b1, b2] = group.betas;
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    const m0 = typeof state.expAvg === 'object' ? state.expAvg : this.setState(state, 'expAvg', zerosLike(p));
    const v0 =
      typeof state.expAvgSq === 'object' ? state.expAvgSq : this.setState(state, 'expAvgSq', zerosLike(p));
    const scalar = (value: number) => full([], value, { dtype: p.dtype, backend: p.backend.name });
    // Inputs: 0 p, 1 grad, 2 m or v, then 0-d scalars (betas and wd as inputs too: groups may differ).
    const [P, G, S, K1, K2, WD] = [0, 1, 2, 3, 4, 5].map(input) as [Expr, Expr, Expr, Expr, Expr, Expr];
    let g = group.maximize ? un('neg', G) : G;
    if (!this.decoupled && group.weightDecay !== 0) g = add(g, mul(P, WD));
    const wd = scalar(group.weightDecay);
    // m = β1·m + (1-β1)·g
    const firstCoefs = [scalar(b1), scalar(1 - b1), wd];
    const m = this.setState(
      state,
      'expAvg',
      fused(add(mul(S, K1), mul(g, K2)), [p, grad, m0, ...firstCoefs]),
    );
    const secondCoefs = [scalar(b2), scalar(1 - b2), wd];
    // v = β2·v + (1-β2)·g·g
    const v = this.setState(
      state,
      'expAvgSq',
      fused(add(mul(S, K1), mul(mul(g, K2), g)), [p, grad, v0, ...secondCoefs]),
    );
    let vHat = v;
    if (group.amsgrad) {
      const prev = state.maxExpAvgSq;
      vHat = this.setState(state, 'maxExpAvgSq', typeof prev === 'object' ? maximum(prev, v) : v.share());
    }
    // p = p·decay - stepSize · m / (√v̂ / √(1-β2ᵗ) + ε)
    const decay = this.decoupled ? 1 - group.lr * group.weightDecay : 1;
    const [M, V, STEP, BC2, EPS, DECAY] = [1, 2, 3, 4, 5, 6].map(input) as [
      Expr,
      Expr,
      Expr,
      Expr,
      Expr,
      Expr,
    ];
    const update = sub(mul(P, DECAY), mul(div(M, add(div(un('sqrt', V), BC2), EPS)), STEP));
    const scalars = [group.lr / (1 - b1 ** step), Math.sqrt(1 - b2 ** step), group.eps, decay].map(scalar);
    return fused(update, [p, m, vHat, ...scalars]);
  }
}

/** Adam with L2 weight decay (torch.optim.Adam), step for step as PyTorch. */
export class Adam extends AdamBase {
  constructor(params: ParamsArg<AdamHyper>, options: AdamOptions = {}) {
    super(params, options, false, 0);
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); default weightDecay 0.01 as PyTorch. */
export class AdamW extends AdamBase {
  constructor(params: ParamsArg<AdamHyper>, options: AdamOptions = {}) {
    super(params, options, true, 0.01);
  }
}
