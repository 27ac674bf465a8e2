/**
 * The theory module's mixture: the engine forward equals the formula written out by hand in float64, for every
 * gate and both experts; NoRGa with α = 0 is the linear gate exactly, in the forward and in a fit.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.js';
import { fitLeastSquares } from '../src/theory/fit.js';
import { evaluateMixture, generateSample } from '../src/theory/generate.js';
import {
  defaultMixture,
  type ExpertKind,
  type GateSpec,
  type Mixture,
  THEORY_GATES,
} from '../src/theory/model.js';

/** erf to ~1e-15 by its Taylor series (|z| < 3 here), for the exact GELU. */
function erf(z: number): number {
  let term = z;
  let sum = z;
  for (let k = 1; k < 80; k++) {
    term *= (-z * z) / k;
    sum += term / (2 * k + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const sigma = {
  tanh: Math.tanh,
  sigmoid: (z: number) => 1 / (1 + Math.exp(-z)),
  gelu: (z: number) => 0.5 * z * (1 + erf(z / Math.SQRT2)),
};

function byHand(m: Mixture, x: number[]): number {
  const dot = (u: number[], v: number[]) => u.reduce((s, ui, k) => s + ui * (v[k] as number), 0);
  const terms: [number, number][] = [];
  for (const e of m.pretrained) {
    const xAx = e.A.reduce((s, row, r) => s + (x[r] as number) * dot(row, x), 0);
    terms.push([xAx + e.c, dot(e.a, x) + e.b]);
  }
  for (const p of m.prefix) {
    const s = dot(p.beta1, x);
    const g = m.gate.kind === 'linear' ? s : s + m.gate.alpha * sigma[m.gate.kind](m.gate.tau * s);
    const z = dot(p.a, x) + p.b;
    terms.push([g + p.beta0, m.expert === 'tanh' ? Math.tanh(z) : z]);
  }
  const top = Math.max(...terms.map(([s]) => s));
  let num = 0;
  let den = 0;
  for (const [s, h] of terms) {
    num += Math.exp(s - top) * h;
    den += Math.exp(s - top);
  }
  return num / den;
}

describe('theory mixture', () => {
  const rng = new Rng(7);
  const xs = Array.from({ length: 5 }, () => [rng.uniformIn(-1, 1), rng.uniformIn(-1, 1)]);
  for (const kind of THEORY_GATES)
    for (const expert of ['tanh', 'linear'] as ExpertKind[]) {
      it(`engine forward = the formula by hand (${kind} gate, ${expert} experts)`, () => {
        const m = defaultMixture({ kind, alpha: 0.7, tau: 1.3 }, expert);
        const f = evaluateMixture(m, Float64Array.from(xs.flat()));
        xs.forEach((x, i) => {
          expect(f[i]).toBeCloseTo(byHand(m, x), 13);
        });
        // The gate matters: a different gate gives a different function (the check above is not vacuous).
        if (kind !== 'linear') {
          const lin = evaluateMixture(
            defaultMixture({ kind: 'linear', alpha: 0, tau: 1 }, expert),
            Float64Array.from(xs.flat()),
          );
          expect(Math.max(...f.map((v, i) => Math.abs(v - (lin[i] as number))))).toBeGreaterThan(1e-3);
        }
      });
    }

  it('NoRGa with α = 0 is the linear gate exactly, in the forward and in a least-squares fit', () => {
    const linear: GateSpec = { kind: 'linear', alpha: 1, tau: 1 };
    const truth = defaultMixture(linear);
    const sample = generateSample(truth, 200, 0.05, new Rng(3));
    const init = truth.prefix.map((a) => ({ ...a, beta0: a.beta0 + 0.2, b: a.b - 0.1 }));
    const opts = { expert: truth.expert, pretrained: truth.pretrained, maxIter: 15, gradTol: 0, bound: 4 };
    const ref = fitLeastSquares(sample, init, { ...opts, gate: linear });
    for (const kind of ['tanh', 'sigmoid', 'gelu'] as const) {
      const gate: GateSpec = { kind, alpha: 0, tau: 1.7 };
      expect(evaluateMixture({ ...truth, gate }, sample.x)).toEqual(evaluateMixture(truth, sample.x));
      const fit = fitLeastSquares(sample, init, { ...opts, gate });
      expect(fit.atoms).toEqual(ref.atoms);
      expect(fit.loss).toBe(ref.loss);
    }
    // The fit moved (15 L-BFGS steps), so the equality above compares trajectories, not two copies of the start.
    expect(Math.abs((ref.atoms[0]?.b ?? 0) - (init[0]?.b ?? 0))).toBeGreaterThan(1e-4);
  });
});
