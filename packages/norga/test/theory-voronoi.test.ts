/**
 * The Voronoi-type loss on hand-built mixing measures: zero at the truth, blind to the order of the fitted atoms,
 * and the values its definition gives for small perturbations (first order in a singleton cell, second order in
 * a crowded one, the weight term for mass moved or missing).
 */
import { describe, expect, it } from 'vitest';
import type { Atom } from '../src/theory/model.js';
import { voronoiCells, voronoiLoss } from '../src/theory/voronoi.js';

const truth: Atom[] = [
  { beta1: [1.2, -0.8], beta0: 0.3, a: [-1, 1.5], b: 1 },
  { beta1: [-0.9, 1.1], beta0: -0.2, a: [1.4, 0.5], b: -0.8 },
];
const w0 = Math.exp(0.3);
const w1 = Math.exp(-0.2);
const copy = (a: Atom): Atom => ({ beta1: [...a.beta1], beta0: a.beta0, a: [...a.a], b: a.b });
const t0 = truth[0] as Atom;
const t1 = truth[1] as Atom;

describe('Voronoi loss', () => {
  it('is zero at the truth and for any order of the same atoms', () => {
    expect(voronoiLoss(truth.map(copy), truth).total).toBe(0);
    expect(voronoiLoss([copy(t1), copy(t0)], truth).total).toBe(0);
    expect(voronoiCells([copy(t1), copy(t0)], truth)).toEqual([[1], [0]]);
  });

  it('is first order in a cell holding one atom: exp(β_0)·(‖Δβ_1‖ + ‖Δη‖)', () => {
    const eps = 1e-3;
    const f = [copy(t0), copy(t1)];
    (f[0] as Atom).beta1 = [1.2 + eps, -0.8]; // ‖Δβ_1‖ = eps
    (f[1] as Atom).a = [1.4 + 3 * eps, 0.5 + 4 * eps]; // ‖Δη‖ = 5 eps
    const d = voronoiLoss(f, truth);
    expect(d.total).toBeCloseTo(w0 * eps + w1 * 5 * eps, 12);
    expect(d.weightTerm).toBe(0);
    // The same measure listed in the other order: the same value.
    expect(voronoiLoss([f[1] as Atom, f[0] as Atom], truth).total).toBeCloseTo(d.total, 15);
  });

  it('is second order in a cell holding two atoms: Σ exp(β_0i)·(‖Δβ_1‖² + ‖Δη‖²)', () => {
    const eps = 1e-2;
    const half = t0.beta0 - Math.log(2);
    const plus = { ...copy(t0), beta0: half, b: t0.b + eps };
    const minus = { ...copy(t0), beta0: half, b: t0.b - eps };
    const d = voronoiLoss([plus, copy(t1), minus], truth);
    expect(d.cells).toEqual([[0, 2], [1]]);
    // Two atoms of weight w0/2, each ‖Δη‖ = eps: w0·eps², and the cell's mass w0 is right.
    expect(d.total).toBeCloseTo(w0 * eps * eps, 12);
    expect(d.weightTerm).toBeCloseTo(0, 14);
    // Shuffled: unchanged.
    expect(voronoiLoss([copy(t1), minus, plus], truth).total).toBeCloseTo(d.total, 15);
  });

  it('charges mass moved between cells and a true atom nobody fits', () => {
    const delta = 1e-3;
    const f = [{ ...copy(t0), beta0: t0.beta0 + delta }, copy(t1)];
    expect(voronoiLoss(f, truth).total).toBeCloseTo(w0 * (Math.exp(delta) - 1), 14);
    // Both fitted atoms at true atom 0 (each with half its weight): cell 1 is empty and costs its whole weight.
    const half = t0.beta0 - Math.log(2);
    const d = voronoiLoss(
      [
        { ...copy(t0), beta0: half },
        { ...copy(t0), beta0: half },
      ],
      truth,
    );
    expect(d.cells).toEqual([[0, 1], []]);
    expect(d.total).toBeCloseTo(w1, 14);
  });

  it('refuses atoms of different dimensions', () => {
    expect(() => voronoiLoss([{ beta1: [1], beta0: 0, a: [1], b: 0 }], truth)).toThrow(RangeError);
  });
});
