/**
 * L-BFGS with a backtracking (Armijo) line search, over a plain parameter vector. The theory needs the least-
 * squares estimator itself, i.e. the loss minimised to well below the statistical error at n = 10^5 (parameter
 * errors near 10^-3, loss differences near 10^-7). A fixed-step first-order method (Adam, SGD) settles only to
 * within its step and crawls along the badly conditioned valleys of an over-specified mixture; a quasi-Newton step
 * adapts to the curvature. The loss and its gradient come from the engine's autograd (fit.ts); only the small
 * vector algebra lives here.
 */

export type Objective = (theta: Float64Array) => { value: number; grad: Float64Array };

/** When L-BFGS stops, and its memory. */
export interface LbfgsOptions {
  maxIter: number;
  /** Stop when the largest gradient component is below this. */
  gradTol: number;
  /** Stop when the loss has fallen by less than relTol·|loss| over `patience` iterations. */
  relTol?: number;
  patience?: number;
  memory?: number;
}

/** The minimiser found and how the search went. */
export interface LbfgsResult {
  theta: Float64Array;
  value: number;
  gradMax: number;
  iterations: number;
  evaluations: number;
  /** Why it stopped. */
  reason: 'gradient' | 'stalled' | 'max-iter' | 'line-search';
}

function dot(u: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let k = 0; k < u.length; k++) s += (u[k] as number) * (v[k] as number);
  return s;
}

function maxAbs(u: Float64Array): number {
  let m = 0;
  for (const x of u) m = Math.max(m, Math.abs(x));
  return m;
}

/** Minimises `f` from `theta0` by L-BFGS with a backtracking Armijo line search. */
export function lbfgs(f: Objective, theta0: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const m = opts.memory ?? 10;
  const relTol = opts.relTol ?? 1e-12;
  const patience = opts.patience ?? 10;
  let theta = Float64Array.from(theta0);
  let { value, grad } = f(theta);
  let evaluations = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const history: number[] = [value];
  const p = theta.length;
  for (let iter = 0; iter < opts.maxIter; iter++) {
    const gmax = maxAbs(grad);
    if (!(gmax > opts.gradTol))
      return { theta, value, gradMax: gmax, iterations: iter, evaluations, reason: 'gradient' };
    // Two-loop recursion: d = −H·g with H the L-BFGS inverse-Hessian estimate.
    const q = Float64Array.from(grad);
    const alphas: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      const s = S[k] as Float64Array;
      const y = Y[k] as Float64Array;
      const a = dot(s, q) / dot(y, s);
      alphas[k] = a;
      for (let r = 0; r < p; r++) q[r] = (q[r] as number) - a * (y[r] as number);
    }
    if (S.length > 0) {
      const s = S[S.length - 1] as Float64Array;
      const y = Y[Y.length - 1] as Float64Array;
      const gamma = dot(s, y) / dot(y, y);
      for (let r = 0; r < p; r++) q[r] = (q[r] as number) * gamma;
    } else {
      // First step: a unit-length move along −g, so the scale of the loss does not set the step.
      const scale = 1 / Math.max(Math.sqrt(dot(grad, grad)), 1e-300);
      for (let r = 0; r < p; r++) q[r] = (q[r] as number) * scale;
    }
    for (let k = 0; k < S.length; k++) {
      const s = S[k] as Float64Array;
      const y = Y[k] as Float64Array;
      const b = dot(y, q) / dot(y, s);
      for (let r = 0; r < p; r++) q[r] = (q[r] as number) + (s[r] as number) * ((alphas[k] as number) - b);
    }
    const d = q.map((x) => -x);
    let slope = dot(grad, d);
    if (!(slope < 0)) {
      // Not a descent direction (curvature information gone stale): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      const scale = 1 / Math.max(Math.sqrt(dot(grad, grad)), 1e-300);
      for (let r = 0; r < p; r++) d[r] = -(grad[r] as number) * scale;
      slope = dot(grad, d);
    }
    let step = 1;
    let next: { value: number; grad: Float64Array } | undefined;
    let trial = theta;
    for (let ls = 0; ls < 40; ls++) {
      trial = theta.map((x, r) => x + step * (d[r] as number));
      const r = f(trial);
      evaluations++;
      if (Number.isFinite(r.value) && r.value <= value + 1e-4 * step * slope) {
        next = r;
        break;
      }
      step *= 0.5;
    }
    if (!next) return { theta, value, gradMax: gmax, iterations: iter, evaluations, reason: 'line-search' };
    const s = trial.map((x, r) => x - (theta[r] as number));
    const y = next.grad.map((x, r) => x - (grad[r] as number));
    // Keep the pair only when it carries positive curvature, so H stays positive definite.
    if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      S.push(s);
      Y.push(y);
      if (S.length > m) {
        S.shift();
        Y.shift();
      }
    }
    theta = trial;
    value = next.value;
    grad = next.grad;
    history.push(value);
    const back = history[history.length - 1 - patience];
    if (back !== undefined && back - value <= relTol * Math.abs(value))
      return { theta, value, gradMax: maxAbs(grad), iterations: iter + 1, evaluations, reason: 'stalled' };
  }
  return { theta, value, gradMax: maxAbs(grad), iterations: opts.maxIter, evaluations, reason: 'max-iter' };
}
