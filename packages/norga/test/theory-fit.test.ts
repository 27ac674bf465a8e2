/**
 * The data generator and the least-squares fit: the noise has the asked-for mean and spread, L-BFGS finds a known
 * minimum, and a fit from a large sample recovers the parameters that generated it (from a start 0.3 away).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.js';
import { fitLeastSquares } from '../src/theory/fit.js';
import { generateSample } from '../src/theory/generate.js';
import { initialAtoms } from '../src/theory/init.js';
import { lbfgs } from '../src/theory/lbfgs.js';
import { type Atom, defaultMixture, type TheoryGate } from '../src/theory/model.js';
import { voronoiLoss } from '../src/theory/voronoi.js';

describe('L-BFGS', () => {
  it('minimises the Rosenbrock function from the classic start', () => {
    const r = lbfgs(
      (t) => {
        const [x, y] = [t[0] as number, t[1] as number];
        return {
          value: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
          grad: Float64Array.of(-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
        };
      },
      Float64Array.of(-1.2, 1),
      { maxIter: 500, gradTol: 1e-10 },
    );
    expect(r.reason).toBe('gradient');
    expect(r.theta[0]).toBeCloseTo(1, 8);
    expect(r.theta[1]).toBeCloseTo(1, 8);
  });
});

describe('data generator', () => {
  it('adds Gaussian noise of the asked-for spread to f_G*', () => {
    const s = generateSample(defaultMixture({ kind: 'tanh', alpha: 1, tau: 1 }), 20000, 0.1, new Rng(11));
    const e = s.y.map((y, i) => y - (s.f[i] as number));
    const mean = e.reduce((a, b) => a + b, 0) / e.length;
    const sd = Math.sqrt(e.reduce((a, b) => a + (b - mean) ** 2, 0) / (e.length - 1));
    expect(Math.abs(mean)).toBeLessThan((5 * 0.1) / Math.sqrt(20000));
    expect(Math.abs(sd - 0.1)).toBeLessThan(5 * (0.1 / Math.sqrt(2 * 20000)));
    expect(Math.min(...s.x)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...s.x)).toBeLessThan(1);
  });

  for (const kind of ['linear', 'tanh'] as TheoryGate[]) {
    it(`a fit from a large sample reproduces the generating parameters (${kind} gate)`, () => {
      const truth = defaultMixture({ kind, alpha: 1, tau: 1 });
      const sample = generateSample(truth, 2000, 0.005, new Rng(5));
      const init = initialAtoms(truth.prefix, 2, 'near', 0.3, new Rng(6));
      const start = voronoiLoss(init, truth.prefix).total;
      const fit = fitLeastSquares(sample, init, {
        gate: truth.gate,
        expert: truth.expert,
        pretrained: truth.pretrained,
        maxIter: 1000,
        gradTol: 1e-11,
        bound: 4,
      });
      const d = voronoiLoss(fit.atoms, truth.prefix);
      expect(d.cells.map((c) => c.length)).toEqual([1, 1]);
      const worst = Math.max(
        ...d.cells.flatMap(([i], j) => {
          const f = fit.atoms[i as number] as Atom;
          const t = truth.prefix[j] as Atom;
          return [
            ...f.beta1.map((v, r) => v - (t.beta1[r] as number)),
            f.beta0 - t.beta0,
            ...f.a.map((v, r) => v - (t.a[r] as number)),
            f.b - t.b,
          ].map(Math.abs);
        }),
      );
      expect(worst).toBeLessThan(0.05);
      expect(d.total).toBeLessThan(start / 10);
      // The least-squares estimate fits the sample at least as well as the truth does.
      const truthMse = sample.y.reduce((s, y, i) => s + (y - (sample.f[i] as number)) ** 2, 0) / sample.n;
      expect(fit.loss).toBeLessThanOrEqual(truthMse);
    });
  }
});
