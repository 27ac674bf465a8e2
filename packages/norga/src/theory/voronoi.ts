/**
 * The Voronoi-type loss between a fitted mixing measure G = Σ_i exp(β_0i)·δ(θ_i) and the true one
 * G* = Σ_j exp(β*_0j)·δ(θ*_j), θ = (β_1, η) with η = (a, b) the expert's parameters, as used by the paper's
 * NoRGa theorem (after Nguyen, Ho and Rinaldo's least-squares MoE analysis; reconstructed, see docs/THEORY.md):
 *
 *   V_j = { i : ‖θ_i − θ*_j‖ ≤ ‖θ_i − θ*_l‖ for every l }   (the fitted atoms nearest to true atom j)
 *
 *   D(G, G*) = Σ_{j: |V_j| = 1} Σ_{i∈V_j} exp(β_0i)·(‖Δβ_1ij‖  + ‖Δη_ij‖)
 *            + Σ_{j: |V_j| > 1} Σ_{i∈V_j} exp(β_0i)·(‖Δβ_1ij‖² + ‖Δη_ij‖²)
 *            + Σ_j | Σ_{i∈V_j} exp(β_0i) − exp(β*_0j) |
 *
 * Why this shape: a least-squares fit only sees the regression function, and f_G − f_G* expands (Taylor, atom by
 * atom inside each cell) into terms weighted by exp(β_0i). A true atom fitted by one atom gives first-order terms,
 * so the error is linear in ‖Δ‖; a true atom fitted by several atoms can cancel the first-order terms between
 * them, so only the second-order terms remain and the error is quadratic. Then D ≍ ‖f_G − f_G*‖ locally, and the
 * function's n^(-1/2) rate becomes n^(-1/2) for singleton atoms and n^(-1/4) for atoms of crowded cells. The
 * last sum compares the mass each cell carries with its true atom's weight (an empty cell costs its whole
 * weight). Sums over cells make D invariant to the order of the fitted atoms, which is not identifiable.
 *
 * β_0 has no cell term of its own: exp(β_0) enters as the weight. Ties between true atoms go to the lower index.
 */
import type { Atom } from './model.js';

/** D(G, G*) and its parts. */
export interface VoronoiLoss {
  /** D(G, G*). */
  total: number;
  /** cells[j]: indices of the fitted atoms in true atom j's Voronoi cell. */
  cells: number[][];
  /** The parameter part (first two sums) and the weight part (third sum). */
  parameterTerm: number;
  weightTerm: number;
}

function theta(atom: Atom): number[] {
  return [...atom.beta1, ...atom.a, atom.b];
}

function dist(u: number[], v: number[]): number {
  let s = 0;
  for (let k = 0; k < u.length; k++) s += ((u[k] as number) - (v[k] as number)) ** 2;
  return Math.sqrt(s);
}

/** cells[j]: the fitted atoms nearest (in θ = (β_1, a, b)) to true atom j. */
export function voronoiCells(fitted: Atom[], truth: Atom[]): number[][] {
  const cells: number[][] = truth.map(() => []);
  const thetaTrue = truth.map(theta);
  fitted.forEach((atom, i) => {
    const t = theta(atom);
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    thetaTrue.forEach((ts, j) => {
      const d = dist(t, ts);
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    });
    (cells[best] as number[]).push(i);
  });
  return cells;
}

/** The Voronoi loss D(G, G*) of the file's header; throws a RangeError when the atoms' dimensions differ. */
export function voronoiLoss(fitted: Atom[], truth: Atom[]): VoronoiLoss {
  for (const atom of [...fitted, ...truth]) {
    if (atom.beta1.length !== truth[0]?.beta1.length || atom.a.length !== atom.beta1.length)
      throw new RangeError('voronoiLoss: atoms must share one input dimension');
  }
  const cells = voronoiCells(fitted, truth);
  let parameterTerm = 0;
  let weightTerm = 0;
  cells.forEach((cell, j) => {
    const t = truth[j] as Atom;
    const power = cell.length > 1 ? 2 : 1;
    let mass = 0;
    for (const i of cell) {
      const f = fitted[i] as Atom;
      const w = Math.exp(f.beta0);
      mass += w;
      const dBeta = dist(f.beta1, t.beta1);
      const dEta = dist([...f.a, f.b], [...t.a, t.b]);
      parameterTerm += w * (dBeta ** power + dEta ** power);
    }
    weightTerm += Math.abs(mass - Math.exp(t.beta0));
  });
  return { total: parameterTerm + weightTerm, cells, parameterTerm, weightTerm };
}
