/**
 * The ground-truth mixture of Section 4 of the paper (reconstructed; see docs/THEORY.md): a regression function
 * that is one softmax over N fixed "pretrained" experts and k prefix experts,
 *
 *   f_G(x) = Σ_j exp(xᵀA_j x + c_j)·h(x; a⁰_j, b⁰_j) / Z(x)  +  Σ_i exp(g(β_1iᵀx) + β_0i)·h(x; a_i, b_i) / Z(x),
 *
 * with experts h(x; a, b) (the pretrained ones linear, aᵀx + b; the prefix ones see ExpertKind) and Z(x) the sum of all the exponentials. The pretrained experts are
 * what attention already holds (quadratic scores xᵀA x: query·key with both linear in the token; linear experts:
 * the value projection) and are known and fixed. The prefix experts are new: their scores are linear in x
 * (prefix tuning, g(s) = s) or NoRGa's g(s) = s + α·σ(τ·s). Only the prefix parameters are estimated; α and τ
 * are known constants here, as in the theorem (it is about the prefix experts, not the gate's two scalars).
 *
 * A fitted model is a mixing measure G = Σ_i exp(β_0i)·δ(β_1i, a_i, b_i) over its prefix atoms; everything the
 * theory measures (voronoi.ts) compares two such measures.
 */
import { concat, matmul, softmax, type Tensor, tanh, tensor } from '@norga/tensor';
import { norgaScore } from '../gates.js';

/** The gates compared: linear (prefix tuning) and NoRGa's σ. */
export const THEORY_GATES = ['linear', 'tanh', 'sigmoid', 'gelu'] as const;
/** One of THEORY_GATES. */
export type TheoryGate = (typeof THEORY_GATES)[number];

/** One prefix expert: gating (β_1, β_0) and linear expert (a, b). exp(β_0) is its weight in the mixing measure. */
export interface Atom {
  beta1: number[];
  beta0: number;
  a: number[];
  b: number;
}

/** A fixed expert of the pretrained model: quadratic score xᵀA x + c, linear expert aᵀx + b. */
export interface PretrainedExpert {
  A: number[][];
  c: number;
  a: number[];
  b: number;
}

/** A prefix expert's gate: its kind and, for NoRGa, α and τ. */
export interface GateSpec {
  kind: TheoryGate;
  /** NoRGa's residual weight and temperature (unused by the linear gate). */
  alpha: number;
  tau: number;
}

/**
 * The prefix experts' function: 'linear' is h = aᵀx + b (what a prefix value is inside attention); 'tanh' is
 * h = tanh(aᵀx + b). Linear experts cannot tell apart, from f alone, two atoms with the same gate whose experts
 * average to the truth's (a weighted sum of linear functions is linear), so an over-specified fit has a flat set
 * of exact solutions with D > 0 under every gate; a non-linear expert removes that set while keeping linear
 * gating's interaction x·∂h/∂b = ∂h/∂a (the PDE of the theory), so it is the default.
 */
export const EXPERT_KINDS = ['tanh', 'linear'] as const;
/** One of EXPERT_KINDS. */
export type ExpertKind = (typeof EXPERT_KINDS)[number];

/** A mixture of fixed pretrained experts and prefix experts, with one gate for the prefix scores. */
export interface Mixture {
  dim: number;
  expert: ExpertKind;
  pretrained: PretrainedExpert[];
  prefix: Atom[];
  gate: GateSpec;
}

/** The prefix parameters as engine tensors, shaped for one matmul each: β_1 and a as [d, k], β_0 and b as [k]. */
export interface PrefixTensors {
  beta1: Tensor;
  beta0: Tensor;
  a: Tensor;
  b: Tensor;
}

/** The pretrained part of the mixture evaluated on a data set: it never changes during a fit, so compute it once. */
export interface FixedPart {
  /** [n, N] quadratic scores. */
  scores: Tensor;
  /** [n, N] expert outputs. */
  outputs: Tensor;
}

const f64 = (values: number[], shape: number[]) =>
  tensor(Float64Array.from(values), { shape, dtype: 'float64' });

/** x: [n, d] float64. */
export function pretrainedPart(x: Tensor, experts: PretrainedExpert[]): FixedPart {
  const d = x.shape[1] as number;
  const scores: Tensor[] = [];
  const outputs: Tensor[] = [];
  for (const e of experts) {
    const A = f64(e.A.flat(), [d, d]);
    const xa = matmul(x, A);
    scores.push(xa.mul(x).sum(1, true).add(e.c));
    const a = f64(e.a, [d, 1]);
    outputs.push(matmul(x, a).add(e.b));
    for (const t of [A, xa, a]) t.dispose();
  }
  const part = { scores: concat(scores, 1), outputs: concat(outputs, 1) };
  for (const t of [...scores, ...outputs]) t.dispose();
  return part;
}

/** Columns are atoms: β_1 and a as [d, k]. */
export function prefixTensors(atoms: Atom[], dim: number): PrefixTensors {
  const k = atoms.length;
  const col = (pick: (a: Atom) => number[]) => {
    const v = new Array<number>(dim * k);
    atoms.forEach((atom, i) => {
      pick(atom).forEach((x, r) => {
        v[r * k + i] = x;
      });
    });
    return f64(v, [dim, k]);
  };
  return {
    beta1: col((a) => a.beta1),
    beta0: f64(
      atoms.map((a) => a.beta0),
      [k],
    ),
    a: col((a) => a.a),
    b: f64(
      atoms.map((a) => a.b),
      [k],
    ),
  };
}

/**
 * The gate on the prefix scores s = β_1ᵀx: the identity for prefix tuning, else the project's NoRGa score
 * (src/gates.ts), so the theory measures the same function the continual-learning runs train.
 */
function gateScores(s: Tensor, gate: GateSpec): Tensor {
  if (gate.kind === 'linear') return s.add(0);
  const alpha = f64([gate.alpha], [1]);
  const tau = f64([gate.tau], [1]);
  const out = norgaScore(gate.kind, s, alpha, tau);
  alpha.dispose();
  tau.dispose();
  return out;
}

/** f_G(x) for every row of x: [n, d] → [n]. Differentiable in the prefix tensors. */
export function mixtureForward(
  x: Tensor,
  fixed: FixedPart,
  p: PrefixTensors,
  gate: GateSpec,
  expert: ExpertKind,
): Tensor {
  const s = matmul(x, p.beta1);
  const g = gateScores(s, gate);
  const logits = g.add(p.beta0);
  const w = softmax(concat([fixed.scores, logits], 1), 1);
  const z = matmul(x, p.a).add(p.b);
  const e = expert === 'tanh' ? tanh(z) : z.add(0);
  const experts = concat([fixed.outputs, e], 1);
  const f = w.mul(experts).sum(1);
  for (const t of [s, g, logits, w, z, e, experts]) t.dispose();
  return f;
}

/** The default truth: d = 2, two pretrained experts, two prefix experts; weights and scores all of order one. */
export function defaultMixture(gate: GateSpec, expert: ExpertKind = 'tanh'): Mixture {
  return {
    dim: 2,
    expert,
    pretrained: [
      {
        A: [
          [0.8, 0.2],
          [0.2, -0.6],
        ],
        c: 0,
        a: [1, -0.5],
        b: 0.2,
      },
      {
        A: [
          [-0.5, 0.3],
          [0.3, 0.7],
        ],
        c: 0,
        a: [-0.8, 0.6],
        b: -0.3,
      },
    ],
    prefix: [
      { beta1: [1.2, -0.8], beta0: 0.3, a: [-1, 1.5], b: 1 },
      { beta1: [-0.9, 1.1], beta0: -0.2, a: [1.4, 0.5], b: -0.8 },
    ],
    gate,
  };
}
