/**
 * The least-squares estimator Ĝ_n = argmin_G (1/n) Σ (y_i − f_G(x_i))² over mixtures with k prefix atoms, the
 * estimator the theorem is about. The loss and its gradient are the engine's (float64 tensors, autograd's
 * valueAndGrad); L-BFGS (lbfgs.ts) drives them. Float64 because the fit must place the minimiser well inside its
 * statistical error: at n = 10^5 the excess loss of the estimator is about (p/n)·σ² ≈ 10^-4·σ² (p = 12 to 18
 * parameters), so locating it to a tenth of its error means resolving 10^-6·σ² in a loss of order σ², and for a
 * crowded cell, whose loss is quartic in the parameters, far less; float32 (relative precision 6·10^-8, worse
 * after a sum over 10^5 terms) would make the measured rate float32's, not the estimator's.
 */
import { valueAndGrad } from '@norga/autograd';
import { type Tensor, tensor, tidy } from '@norga/tensor';
import type { Sample } from './generate.js';
import { type LbfgsResult, lbfgs, type Objective } from './lbfgs.js';
import {
  type Atom,
  type ExpertKind,
  type FixedPart,
  type GateSpec,
  mixtureForward,
  type PretrainedExpert,
  pretrainedPart,
} from './model.js';

/** θ = [β_1 (d×k, row-major as [d, k]), β_0 (k), a (d×k), b (k)]: the layout prefixTensors uses. */
function packAtoms(atoms: Atom[], dim: number): Float64Array {
  const k = atoms.length;
  const theta = new Float64Array(2 * k * (dim + 1));
  atoms.forEach((atom, i) => {
    for (let r = 0; r < dim; r++) {
      theta[r * k + i] = atom.beta1[r] as number;
      theta[k * (dim + 1) + r * k + i] = atom.a[r] as number;
    }
    theta[dim * k + i] = atom.beta0;
    theta[k * (dim + 1) + dim * k + i] = atom.b;
  });
  return theta;
}

/** The k atoms of a flat parameter vector, in the column layout the fit optimises (β_1, β_0, a, b). */
function unpackAtoms(theta: Float64Array, k: number, dim: number): Atom[] {
  const off = k * (dim + 1);
  return Array.from({ length: k }, (_, i) => ({
    beta1: Array.from({ length: dim }, (_, r) => theta[r * k + i] as number),
    beta0: theta[dim * k + i] as number,
    a: Array.from({ length: dim }, (_, r) => theta[off + r * k + i] as number),
    b: theta[off + dim * k + i] as number,
  }));
}

/** What a least-squares fit needs besides the data and its start. */
export interface FitOptions {
  gate: GateSpec;
  expert: ExpertKind;
  pretrained: PretrainedExpert[];
  maxIter: number;
  gradTol: number;
  /** Every fitted parameter lies in (−bound, bound): the compact parameter set the theorem assumes. */
  bound: number;
}

/**
 * The theorem's estimator minimises over a compact parameter set; without one, an over-specified fit can send a
 * nearly weightless atom's gating parameters to infinity (a step-like gate fitting a few noisy points). The box is
 * imposed by fitting u with θ = bound·tanh(u/bound): the same set, the same minimiser when it is interior, and an
 * unconstrained problem for L-BFGS.
 */
function boxed(objective: Objective, bound: number): Objective {
  return (u) => {
    const t = u.map((v) => Math.tanh(v / bound));
    const r = objective(t.map((v) => bound * v));
    return { value: r.value, grad: r.grad.map((g, k) => g * (1 - (t[k] as number) ** 2)) };
  };
}

function toBox(theta: Float64Array, bound: number): Float64Array {
  return theta.map((v) => bound * Math.atanh(Math.max(-0.999, Math.min(0.999, v / bound))));
}

function fromBox(u: Float64Array, bound: number): Float64Array {
  return u.map((v) => bound * Math.tanh(v / bound));
}

/** A fit's estimate and how the optimiser ended. */
export interface FitResult {
  atoms: Atom[];
  /** The training mean squared error at the estimate. */
  loss: number;
  optimizer: Omit<LbfgsResult, 'theta' | 'value'>;
}

/**
 * The least-squares estimate of the prefix atoms from `sample`, starting at `init`: L-BFGS on the mean squared
 * error of the mixture's regression function, inside the box of FitOptions.bound, gradients by autograd.
 */
export function fitLeastSquares(sample: Sample, init: Atom[], opts: FitOptions): FitResult {
  const { n, dim } = sample;
  const k = init.length;
  const x = tensor(sample.x, { shape: [n, dim], dtype: 'float64' });
  const y = tensor(sample.y, { shape: [n], dtype: 'float64' });
  const fixed: FixedPart = pretrainedPart(x, opts.pretrained);
  const loss = (beta1: Tensor, beta0: Tensor, a: Tensor, b: Tensor) =>
    tidy(() =>
      mixtureForward(x, fixed, { beta1, beta0, a, b }, opts.gate, opts.expert).sub(y).square().mean(),
    );
  const vg = valueAndGrad(loss, { argnums: [0, 1, 2, 3] });
  const off = k * (dim + 1);
  const objective: Objective = (theta) => {
    const t = (from: number, len: number, shape: number[]) =>
      tensor(theta.slice(from, from + len), { shape, dtype: 'float64' });
    const params = [
      t(0, dim * k, [dim, k]),
      t(dim * k, k, [k]),
      t(off, dim * k, [dim, k]),
      t(off + dim * k, k, [k]),
    ];
    const [value, grads] = vg(...(params as [Tensor, Tensor, Tensor, Tensor]));
    const grad = new Float64Array(theta.length);
    let at = 0;
    for (const g of grads) {
      const data = g.dataSyncCpu() as Float64Array;
      grad.set(data, at);
      at += data.length;
    }
    const v = value.itemSyncCpu();
    for (const tt of [value, ...grads, ...params]) tt.dispose();
    return { value: v, grad };
  };
  try {
    const r = lbfgs(boxed(objective, opts.bound), toBox(packAtoms(init, dim), opts.bound), {
      maxIter: opts.maxIter,
      gradTol: opts.gradTol,
    });
    const { theta, value, ...optimizer } = r;
    return { atoms: unpackAtoms(fromBox(theta, opts.bound), k, dim), loss: value, optimizer };
  } finally {
    for (const t of [x, y, fixed.scores, fixed.outputs]) t.dispose();
  }
}
