/**
 * The tridiagonal QL eigensolver (src/ops/tridiagonal-eigh.ts) that eigh uses above n = 256: called directly
 * against Jacobi (src/ops/jacobi.ts) on random symmetric matrices and against PyTorch's goldens; through eigh
 * at n = 300 (residual, orthonormality, order, signs); on degenerate matrices; and the dispatch boundary (n = 256
 * is still exactly Jacobi's result, n = 257 exactly QL's).
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { jacobiEigh } from '../../src/ops/jacobi.js';
import { tridiagonalEigh } from '../../src/ops/tridiagonal-eigh.js';
import { pseudo } from '../conformance/helpers.js';
import { readLinalgFixture } from '../helpers/golden-linalg.js';

type Solver = (a: Float64Array, n: number) => { values: Float64Array; vectors: Float64Array };

/** A random symmetric n×n matrix (entries in [-1, 1), the lower triangle mirrored), row-major. */
function randomSymmetric(n: number, seed: number): Float64Array {
  const r = pseudo(n * n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      a[i * n + j] = r[i * n + j]!;
      a[j * n + i] = r[i * n + j]!;
    }
  }
  return a;
}
/** C = A B for row-major A (m×k) and B (k×n). */
function mm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j]! += aip * b[p * n + j]!;
    }
  return c;
}
/** The transpose of a row-major n×n matrix. */
function tr(a: ArrayLike<number>, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j]!;
  return t;
}
function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! ** 2;
  return Math.sqrt(s);
}
/** Column j of a row-major n×n matrix. */
function column(v: ArrayLike<number>, n: number, j: number): number[] {
  return Array.from({ length: n }, (_, i) => v[i * n + j]!);
}
/** The largest-magnitude component (the first on ties), with its sign. */
function largest(x: readonly number[]): number {
  return x.reduce((best, y) => (Math.abs(y) > Math.abs(best) ? y : best), 0);
}
/** Runs a solver on a copy (both overwrite their input). */
function solve(solver: Solver, a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  return solver(a.slice(), n);
}

/**
 * Checks A V = V Λ and VᵀV = I to `tol`·‖A‖ (max-entry norms; `tol` relative), ascending eigenvalues and the
 * sign convention on every column.
 */
function checkDecomposition(
  a: Float64Array,
  n: number,
  values: Float64Array,
  vectors: Float64Array,
  tol: number,
) {
  const norm = Math.max(frobenius(a), Number.MIN_VALUE);
  const av = mm(a, vectors, n, n, n);
  const vl = vectors.map((x, k) => x * values[k % n]!);
  expect(maxAbs(av.map((x, k) => x - vl[k]!)) / norm, '‖AV - VΛ‖ / ‖A‖').toBeLessThanOrEqual(tol);
  const g = mm(tr(vectors, n), vectors, n, n, n);
  expect(maxAbs(g.map((x, k) => x - +(k % (n + 1) === 0))), '‖VᵀV - I‖').toBeLessThanOrEqual(tol);
  for (let j = 1; j < n; j++) expect(values[j]!, 'ascending').toBeGreaterThanOrEqual(values[j - 1]!);
  for (let j = 0; j < n; j++)
    expect(largest(column(vectors, n, j)), `sign of vector ${j}`).toBeGreaterThan(0);
}

describe('tridiagonalEigh against jacobiEigh', () => {
  it.each([1, 2, 3, 17, 64, 150])('random symmetric, n = %i', (n) => {
    const a = randomSymmetric(n, 100 + n);
    const norm = frobenius(a);
    const ql = solve(tridiagonalEigh, a, n);
    const jacobi = solve(jacobiEigh, a, n);
    for (let j = 0; j < n; j++)
      expect(Math.abs(ql.values[j]! - jacobi.values[j]!), `eigenvalue ${j}`).toBeLessThanOrEqual(
        1e-12 * norm,
      );
    checkDecomposition(a, n, ql.values, ql.vectors, 1e-13);
    // Where eigenvalue j is well separated its vector is unique up to sign, and both solvers pick the same sign;
    // the error of each is ~ε‖A‖ / gap.
    let compared = 0;
    for (let j = 0; j < n; j++) {
      const gap = Math.min(
        j > 0 ? jacobi.values[j]! - jacobi.values[j - 1]! : Number.POSITIVE_INFINITY,
        j < n - 1 ? jacobi.values[j + 1]! - jacobi.values[j]! : Number.POSITIVE_INFINITY,
      );
      if (gap < 1e-3 * norm) continue;
      compared++;
      const q = column(ql.vectors, n, j);
      const w = column(jacobi.vectors, n, j);
      expect(maxAbs(q.map((x, i) => x - w[i]!)), `eigenvector ${j}`).toBeLessThanOrEqual(
        (1e-13 * norm) / gap,
      );
    }
    // Random spectra are well spread at these sizes: most vectors take part.
    expect(compared).toBeGreaterThanOrEqual(Math.ceil(n / 2));
  });
});

describe('tridiagonalEigh against torch.linalg.eigh (test/fixtures/golden-linalg.json)', () => {
  const cases = readLinalgFixture().cases.filter((c) => c.op === 'eigh');

  it('has the eigh cases', () => {
    expect(cases.map((c) => c.name)).toContain('64x64 SPD');
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const n = c.shape[0];
    const input = c.input; // float32 values, as torch saw them
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const x = (c.uplo ?? 'L') === 'L' ? input[i * n + j]! : input[j * n + i]!;
        a[i * n + j] = x;
        a[j * n + i] = x;
      }
    }
    const scale = Math.max(maxAbs(a), Number.MIN_VALUE);
    const { values, vectors } = solve(tridiagonalEigh, a, n);
    const want = c.eigenvalues!;
    for (let j = 0; j < n; j++)
      expect(Math.abs(values[j]! - want[j]!), `eigenvalue ${j}`).toBeLessThanOrEqual(
        1e-13 * scale + 1e-6 * Math.abs(want[j]!),
      );
    checkDecomposition(a, n, values, vectors, 1e-13);
    if (c.eigenvectors) {
      for (let j = 0; j < n; j++) {
        if (want.some((x, i) => i !== j && Math.abs(x - want[j]!) < 1e-3 * scale)) continue;
        const got = column(vectors, n, j);
        const ref = column(c.eigenvectors, n, j);
        const dot = got.reduce((acc, x, i) => acc + x * ref[i]!, 0);
        const d = maxAbs(got.map((x, i) => x - (dot >= 0 ? ref[i]! : -ref[i]!)));
        expect(d, `eigenvector ${j} vs torch's (up to sign)`).toBeLessThanOrEqual(1e-7);
      }
    }
  });
});

describe('eigh above the Jacobi limit', () => {
  it('decomposes a 300×300 symmetric matrix (float64): small residual, orthonormal, ascending, signed', async () => {
    const n = 300;
    const a = randomSymmetric(n, 7);
    using t = T.tensor(a, { shape: [n, n], dtype: 'float64' });
    const result = await T.eigh(t);
    using _w = result.eigenvalues;
    using _v = result.eigenvectors;
    const values = Float64Array.from(await result.eigenvalues.data());
    const vectors = Float64Array.from(await result.eigenvectors.data());
    checkDecomposition(a, n, values, vectors, 1e-13);
    // The trace and the Frobenius norm are invariants: Σλ = tr A and Σλ² = ‖A‖²_F.
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    expect(Math.abs(values.reduce((s, x) => s + x, 0) - trace)).toBeLessThanOrEqual(1e-11 * frobenius(a));
    expect(Math.abs(frobenius(values) - frobenius(a))).toBeLessThanOrEqual(1e-12 * frobenius(a));
  });

  it('keeps n = 256 on Jacobi (bit-identical) and sends n = 257 to tridiagonal QL (bit-identical)', async () => {
    for (const [n, solver] of [
      [256, jacobiEigh],
      [257, tridiagonalEigh],
    ] as const) {
      const a = randomSymmetric(n, n);
      using t = T.tensor(a, { shape: [n, n], dtype: 'float64' });
      const result = await T.eigh(t);
      using _w = result.eigenvalues;
      using _v = result.eigenvectors;
      const values = Float64Array.from(await result.eigenvalues.data());
      const want = solve(solver, a, n);
      expect(values, `eigenvalues at n = ${n}`).toEqual(want.values);
      expect(Float64Array.from(await result.eigenvectors.data()), `eigenvectors at n = ${n}`).toEqual(
        want.vectors,
      );
      // The two solvers' roundings differ, so bit-identity does say which one ran.
      if (n === 256) expect(values).not.toEqual(solve(tridiagonalEigh, a, n).values);
    }
  });
});

describe('tridiagonalEigh on degenerate matrices', () => {
  it('n = 0 and n = 1', () => {
    expect(tridiagonalEigh(new Float64Array(0), 0)).toEqual({
      values: new Float64Array(0),
      vectors: new Float64Array(0),
    });
    expect(tridiagonalEigh(Float64Array.of(-2.5), 1)).toEqual({
      values: Float64Array.of(-2.5),
      vectors: Float64Array.of(1),
    });
  });

  it('[[2, 1], [1, 2]]: eigenvalues 1 and 3, vectors (1, -1)/√2 and (1, 1)/√2', () => {
    const { values, vectors } = tridiagonalEigh(Float64Array.of(2, 1, 1, 2), 2);
    expect(values[0]).toBeCloseTo(1, 15);
    expect(values[1]).toBeCloseTo(3, 15);
    const h = Math.SQRT1_2;
    // Columns: (1, -1)/√2 for λ = 1 (its first component is the first largest, so positive), (1, 1)/√2 for 3.
    for (const [k, x] of [h, h, -h, h].entries()) expect(vectors[k]).toBeCloseTo(x, 15);
  });

  it('the zero matrix: zero eigenvalues, the identity as eigenvectors', () => {
    const n = 5;
    const { values, vectors } = tridiagonalEigh(new Float64Array(n * n), n);
    expect(values).toEqual(new Float64Array(n));
    expect(vectors).toEqual(Float64Array.from({ length: n * n }, (_, k) => +(k % (n + 1) === 0)));
  });

  it('the identity and a diagonal matrix with repeated values: exactly, with unit vectors', () => {
    const n = 6;
    const eye = Float64Array.from({ length: n * n }, (_, k) => +(k % (n + 1) === 0));
    const one = tridiagonalEigh(eye.slice(), n);
    expect(one.values).toEqual(new Float64Array(n).fill(1));
    expect(one.vectors).toEqual(eye);
    const diagonal = [3, -1, 3, 0, -1, 3];
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = diagonal[i]!;
    const { values, vectors } = tridiagonalEigh(a, n);
    expect(Array.from(values)).toEqual([-1, -1, 0, 3, 3, 3]);
    // Equal values keep their original order: column j is the unit vector of the j-th smallest diagonal entry.
    const order = [1, 4, 3, 0, 2, 5];
    expect(vectors).toEqual(
      Float64Array.from({ length: n * n }, (_, k) => +(Math.floor(k / n) === order[k % n])),
    );
  });

  it('a rotated matrix with repeated eigenvalues (1, 1, 1, 2, 2, 5 in a random basis)', () => {
    const n = 6;
    // Q from Gram-Schmidt on random columns, A = Q diag(λ) Qᵀ.
    const q = tr(Float64Array.from(pseudo(n * n, 42)), n); // rows of this are the columns to orthonormalise
    for (let i = 0; i < n; i++) {
      for (let pass = 0; pass < 2; pass++)
        for (let j = 0; j < i; j++) {
          let dot = 0;
          for (let k = 0; k < n; k++) dot += q[i * n + k]! * q[j * n + k]!;
          for (let k = 0; k < n; k++) q[i * n + k] = q[i * n + k]! - dot * q[j * n + k]!;
        }
      const norm = frobenius(q.subarray(i * n, (i + 1) * n));
      for (let k = 0; k < n; k++) q[i * n + k] = q[i * n + k]! / norm;
    }
    const lambda = [1, 1, 1, 2, 2, 5];
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) a[i * n + j]! += q[k * n + i]! * lambda[k]! * q[k * n + j]!;
    const { values, vectors } = solve(tridiagonalEigh, a, n);
    for (let j = 0; j < n; j++) expect(Math.abs(values[j]! - lambda[j]!)).toBeLessThanOrEqual(1e-14 * 5);
    checkDecomposition(a, n, values, vectors, 1e-14);
  });

  it('a rank-1 matrix u uᵀ: one eigenvalue ‖u‖² with vector ±u/‖u‖, the rest zero', () => {
    const n = 40;
    const u = pseudo(n, 9);
    const a = Float64Array.from({ length: n * n }, (_, k) => u[Math.floor(k / n)]! * u[k % n]!);
    const norm2 = u.reduce((s, x) => s + x * x, 0);
    const { values, vectors } = solve(tridiagonalEigh, a, n);
    for (let j = 0; j < n - 1; j++) expect(Math.abs(values[j]!)).toBeLessThanOrEqual(1e-14 * norm2);
    expect(Math.abs(values[n - 1]! - norm2)).toBeLessThanOrEqual(1e-14 * norm2);
    const top = column(vectors, n, n - 1);
    const sign = Math.sign(largest(u));
    const unit = u.map((x) => (sign * x) / Math.sqrt(norm2));
    expect(maxAbs(top.map((x, i) => x - unit[i]!))).toBeLessThanOrEqual(1e-14);
    checkDecomposition(a, n, values, vectors, 1e-14);
  });

  it('throws an Error naming eigh and n when the iteration cannot converge (NaN input)', () => {
    const a = randomSymmetric(4, 3);
    a[5] = Number.NaN;
    expect(() => tridiagonalEigh(a, 4)).toThrow(/eigh.*did not converge for n = 4/);
  });
});
