/**
 * The selection and weighting rules of DualPrompt and CODA-Prompt on hand-built keys and queries, and CODA's
 * Gram–Schmidt initialisation: every number below is worked out by hand in the comments.
 */
import { type Tensor, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { componentWeights, orthogonalSlice } from '../src/coda-prompt.js';
import { nearestKeys } from '../src/dualprompt.js';
import { Rng } from '../src/rng.js';

const values = async (t: Tensor) => Array.from((await t.data()) as ArrayLike<number>);

describe('DualPrompt: each query takes the E-prompt of the key of highest cosine similarity', () => {
  it('picks by angle, not by length or dot product', async () => {
    // keys: k0 = (1, 0), k1 = (0, 1), k2 = (10, 10) (45°, long).
    const keys = tensor([
      [1, 0],
      [0, 1],
      [10, 10],
    ]);
    // q0 = (3, 1): cos with k0 = 3/√10 ≈ 0.949, with k2 = 4/√20 ≈ 0.894 (its dot product, 40, is the largest) → 0.
    // q1 = (1, 1.2): cos with k1 = 1.2/√2.44 ≈ 0.768, with k2 = 2.2/√4.88 ≈ 0.996 → 2.
    // q2 = (−0.1, 5): cos with k1 = 5/√25.01 ≈ 0.9998 → 1.
    // q3 = (−1, −1): cos with k0 = cos with k1 = −1/√2 ≈ −0.707, with k2 = −1 → the first of the tie, 0.
    const queries = tensor([
      [3, 1],
      [1, 1.2],
      [-0.1, 5],
      [-1, -1],
    ]);
    expect(await values(nearestKeys(queries, keys))).toEqual([0, 2, 1, 0]);
  });
});

describe('CODA-Prompt: α_m = cos(q ⊙ A_m, K_m)', () => {
  it('matches the hand-computed weights', async () => {
    // q = (1, 2, 2). A_0 = (1, 1, 1): q ⊙ A_0 = (1, 2, 2), norm 3; K_0 = (1, 0, 0) → α_0 = 1/3.
    // A_1 = (0, 1, 0): q ⊙ A_1 = (0, 2, 0) → unit (0, 1, 0); K_1 = (0, 3, 4), unit (0, 0.6, 0.8) → α_1 = 0.6.
    // A_2 = (2, 0, −1): q ⊙ A_2 = (2, 0, −2) → unit (1, 0, −1)/√2; K_2 = (1, 0, 1) → α_2 = 0.
    const q = tensor([[1, 2, 2]]);
    const A = tensor([
      [1, 1, 1],
      [0, 1, 0],
      [2, 0, -1],
    ]);
    const K = tensor([
      [1, 0, 0],
      [0, 3, 4],
      [1, 0, 1],
    ]);
    const alpha = await values(componentWeights(q, A, K));
    expect(alpha).toHaveLength(3);
    expect(alpha[0]).toBeCloseTo(1 / 3, 6);
    expect(alpha[1]).toBeCloseTo(0.6, 6);
    expect(alpha[2]).toBeCloseTo(0, 6);
  });

  it('a query weighs every component by its own attention: a zero attended query gives weight 0, not NaN', async () => {
    // q = (0, 5): A = (1, 0) masks it to (0, 0), whose normalisation is 0 / max(0, 1e-12) = 0.
    const alpha = await values(componentWeights(tensor([[0, 5]]), tensor([[1, 0]]), tensor([[1, 0]])));
    expect(alpha).toEqual([0]);
  });

  it('Gram–Schmidt: new rows are unit length, orthogonal to each other and to every earlier row', async () => {
    const rng = new Rng(3);
    const earlier = [tensor([[2, 0, 0, 0, 0, 0]]), tensor([[1, 1, 0, 0, 0, 0]])];
    const slice = await orthogonalSlice(rng, earlier, 3, 6);
    expect(slice.shape).toEqual([3, 6]);
    const rows = await values(slice);
    const row = (r: number) => rows.slice(r * 6, r * 6 + 6);
    const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);
    for (let r = 0; r < 3; r++) {
      expect(dot(row(r), row(r))).toBeCloseTo(1, 5);
      // orthogonal to (2,0,...) and (1,1,0,...): the first two coordinates are 0
      expect(Math.abs(row(r)[0] as number)).toBeLessThan(1e-6);
      expect(Math.abs(row(r)[1] as number)).toBeLessThan(1e-6);
      for (let s = 0; s < r; s++) expect(Math.abs(dot(row(r), row(s)))).toBeLessThan(1e-5);
    }
  });

  it('Gram–Schmidt with the dimensions used up keeps the normalised draw instead of dividing by zero', async () => {
    const slice = await orthogonalSlice(new Rng(4), [tensor([[1, 0]]), tensor([[0, 1]])], 1, 2);
    const r = await values(slice);
    expect(Math.hypot(r[0] as number, r[1] as number)).toBeCloseTo(1, 5);
    expect(r.every(Number.isFinite)).toBe(true);
  });
});
