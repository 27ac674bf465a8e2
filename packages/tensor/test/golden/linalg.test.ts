/**
 * eigh and svd against torch.linalg (test/fixtures/golden-linalg.json, written by test/golden/linalg.py), on
 * every backend, in float32 and (where the backend has it) float64. Each decomposition is checked four ways:
 * its eigenvalues (singular values) against torch's; reconstruction A ≈ V diag(λ) Vᵀ (U diag(S) Vh);
 * orthonormality of the vectors; and the vectors against torch's up to sign wherever their eigenvalue
 * (singular value) is separated from the others, so that the vector is unique up to sign. The sign convention
 * (largest-magnitude component positive) is checked on every vector. Then: batches, strided and transposed
 * inputs, empty matrices, errors, and that autograd sees nothing.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { checkLeaks } from '../conformance/helpers.js';
import { BACKENDS } from '../helpers/backends.js';
import { type LinalgCase, readLinalgFixture } from '../helpers/golden-linalg.js';

type Case = LinalgCase;

const fixture = readLinalgFixture();

/**
 * Tolerances, relative to the largest |entry| of the input (`scale`). The float64 computation is far more
 * accurate than float32 can hold, so float32 results carry essentially their own rounding: ~6e-8 per entry,
 * summed over up to 64 terms in a reconstruction or a dot product. Eigenvalues and singular values are also
 * held to a relative 1e-6, which the ill-conditioned case's 1e-6-sized eigenvalues would fail by orders of
 * magnitude if they were computed to absolute accuracy only. float64 results are held near their own roundoff.
 */
const TOL = {
  float32: { value: 2e-7, identity: 5e-7, reconstruct: 5e-7, vector: 5e-7 },
  float64: { value: 1e-13, identity: 1e-13, reconstruct: 1e-13, vector: 1e-10 },
} as const;
/** A vector is compared with torch's when its eigenvalue is at least this far (relative to scale) from others. */
const SEPARATED = 1e-3;

type FloatDType = 'float32' | 'float64';

/** C = A B for row-major A (m×k) and B (k×n). */
function mm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return c;
}
/** The transpose of a row-major rows×cols matrix. */
function tr(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}
/** max |a - b|. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
/** max |QᵀQ - I| for the `cols` columns of a row-major rows×cols Q. */
function orthonormalityError(q: ArrayLike<number>, rows: number, cols: number): number {
  const g = mm(tr(q, rows, cols), q, cols, rows, cols);
  let d = 0;
  for (let i = 0; i < cols; i++)
    for (let j = 0; j < cols; j++) d = Math.max(d, Math.abs(g[i * cols + j]! - +(i === j)));
  return d;
}
/** Column j of a row-major rows×cols matrix. */
function column(a: ArrayLike<number>, rows: number, cols: number, j: number): number[] {
  return Array.from({ length: rows }, (_, i) => a[i * cols + j]!);
}
/** The largest-magnitude component (the first on ties), with its sign. */
function largest(v: readonly number[]): number {
  return v.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
}
/** max |v - ±w| with the sign that fits. */
function diffUpToSign(v: readonly number[], w: readonly number[]): number {
  const dot = v.reduce((acc, x, i) => acc + x * w[i]!, 0);
  return maxDiff(v, dot >= 0 ? w : w.map((x) => -x));
}
/** Indices whose value is at least SEPARATED·scale away from every other value. */
function separated(values: readonly number[], scale: number): number[] {
  return values
    .map((_, j) => j)
    .filter((j) => values.every((x, i) => i === j || Math.abs(x - values[j]!) >= SEPARATED * scale));
}
/** The symmetric matrix eigh decomposes: the triangle `uplo` mirrored. */
function symmetrised(c: Case): number[] {
  const n = c.shape[0];
  return c.input.map((_, k) => {
    const [i, j] = [Math.floor(k / n), k % n];
    const lower = (c.uplo ?? 'L') === 'L';
    return (lower ? i >= j : i <= j) ? c.input[k]! : c.input[j * n + i]!;
  });
}
const scaleOf = (c: Case) => Math.max(...c.input.map(Math.abs), Number.MIN_VALUE);

async function read(t: T.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

async function checkEigh(c: Case, name: string, dtype: FloatDType): Promise<void> {
  const n = c.shape[0];
  const tol = TOL[dtype];
  const scale = scaleOf(c);
  using a = T.tensor(c.input, { shape: c.shape, dtype, backend: name });
  const { eigenvalues, eigenvectors } = await T.eigh(a, { uplo: c.uplo });
  using _w = eigenvalues;
  using _v = eigenvectors;
  expect([eigenvalues.shape, eigenvectors.shape]).toEqual([[n], [n, n]]);
  expect([eigenvalues.dtype, eigenvectors.dtype, eigenvectors.backend.name]).toEqual([dtype, dtype, name]);
  const w = await read(eigenvalues);
  const v = await read(eigenvectors);
  const want = c.eigenvalues!;
  for (let j = 0; j < n; j++) {
    expect(Math.abs(w[j]! - want[j]!), `eigenvalue ${j}: ${w[j]} vs torch ${want[j]}`).toBeLessThanOrEqual(
      tol.value * scale + 1e-6 * Math.abs(want[j]!),
    );
  }
  expect(w, 'ascending').toEqual([...w].sort((x, y) => x - y));
  expect(orthonormalityError(v, n, n), 'VᵀV = I').toBeLessThanOrEqual(tol.identity);
  const vw = v.map((x, k) => x * w[k % n]!);
  expect(maxDiff(mm(vw, tr(v, n, n), n, n, n), symmetrised(c)), 'V diag(λ) Vᵀ = A').toBeLessThanOrEqual(
    tol.reconstruct * scale,
  );
  for (let j = 0; j < n; j++) expect(largest(column(v, n, n, j)), `sign of vector ${j}`).toBeGreaterThan(0);
  if (c.eigenvectors) {
    for (const j of separated(want, scale)) {
      const d = diffUpToSign(column(v, n, n, j), column(c.eigenvectors, n, n, j));
      expect(d, `eigenvector ${j} vs torch's`).toBeLessThanOrEqual(tol.vector + 1e-7);
    }
  }
}

async function checkSvd(c: Case, name: string, dtype: FloatDType): Promise<void> {
  const [m, n] = c.shape;
  const k = Math.min(m, n);
  const tol = TOL[dtype];
  const scale = scaleOf(c);
  using a = T.tensor(c.input, { shape: c.shape, dtype, backend: name });
  const { U, S, Vh } = await T.svd(a);
  using _u = U;
  using _s = S;
  using _vh = Vh;
  expect([U.shape, S.shape, Vh.shape]).toEqual([[m, k], [k], [k, n]]);
  expect([U.dtype, S.dtype, Vh.dtype, Vh.backend.name]).toEqual([dtype, dtype, dtype, name]);
  const u = await read(U);
  const s = await read(S);
  const vh = await read(Vh);
  const want = c.S!;
  for (let j = 0; j < k; j++) {
    expect(
      Math.abs(s[j]! - want[j]!),
      `singular value ${j}: ${s[j]} vs torch ${want[j]}`,
    ).toBeLessThanOrEqual(tol.value * scale + 1e-6 * want[j]!);
  }
  expect(s, 'descending').toEqual([...s].sort((x, y) => y - x));
  expect(orthonormalityError(u, m, k), 'UᵀU = I').toBeLessThanOrEqual(tol.identity);
  expect(orthonormalityError(tr(vh, k, n), n, k), 'Vh Vhᵀ = I').toBeLessThanOrEqual(tol.identity);
  const us = u.map((x, i) => x * s[i % k]!);
  expect(maxDiff(mm(us, vh, m, k, n), c.input), 'U diag(S) Vh = A').toBeLessThanOrEqual(
    tol.reconstruct * scale,
  );
  for (let j = 0; j < k; j++)
    expect(largest(vh.slice(j * n, (j + 1) * n)), `sign of Vh row ${j}`).toBeGreaterThan(0);
  if (c.U && c.Vh) {
    // A singular vector pair is unique up to one shared sign where its singular value is separated and nonzero.
    for (const j of separated(want, scale).filter((j) => want[j]! >= SEPARATED * scale)) {
      const got = [...column(u, m, k, j), ...vh.slice(j * n, (j + 1) * n)];
      const ref = [...column(c.U, m, k, j), ...c.Vh.slice(j * n, (j + 1) * n)];
      expect(diffUpToSign(got, ref), `singular vectors ${j} vs torch's`).toBeLessThanOrEqual(
        tol.vector + 1e-7,
      );
    }
  }
}

describe('golden-linalg fixture', () => {
  it('was written by test/golden/linalg.py with the cases the decompositions need', () => {
    expect(fixture.version).toBe(1);
    const names = fixture.cases.map((c) => `${c.op} ${c.name}`);
    for (const name of [
      'eigh 1x1',
      'eigh 2x2 repeated eigenvalue',
      'eigh 8x8 SPD',
      'eigh 64x64 SPD',
      'eigh 32x32 rank-10 covariance',
      'eigh 8x8 ill-conditioned (cond 1e6)',
      'eigh 4x4 non-symmetric, upper triangle',
      'svd 10x32 features',
      'svd 32x32 rank-10 covariance',
      'svd 64x64 random',
    ])
      expect(names).toContain(name);
  });
});

describe.each(BACKENDS)('eigh and svd on $name', ({ name }) => {
  checkLeaks();
  const dtypes = (['float32', 'float64'] as const).filter((d) => T.getBackend(name).dtypes.includes(d));

  for (const dtype of dtypes) {
    it.each(fixture.cases.map((c) => [`${c.op} ${c.name} (${dtype})`, c] as const))(
      '%s',
      async (_label, c) => {
        if (c.op === 'eigh') await checkEigh(c, name, dtype);
        else await checkSvd(c, name, dtype);
      },
    );
  }
});
