/**
 * Eigendecomposition of a symmetric matrix by Householder tridiagonalisation and the implicit QL iteration with
 * Wilkinson shifts (Golub & Van Loan, Matrix Computations §8.3; the structure of EISPACK's tred2/tql2), in
 * float64 on plain row-major arrays. ./linalg.ts uses it for matrices too large for ./jacobi.ts.
 *
 * Why: cyclic Jacobi costs ~10 sweeps of ~6n³ flops with strided column access; at n = 768 that is tens of
 * seconds. Here the reduction and the accumulation of its reflections cost ~4n³/3 flops each, the QL iteration
 * on the tridiagonal matrix O(n²) for the eigenvalues, and applying its rotations to the eigenvectors ~6n³
 * (about two QL steps per eigenvalue), every inner loop running along a contiguous row. The price is accuracy: small eigenvalues come out to an
 * absolute ~n·ε·‖A‖ rather than to Jacobi's high relative accuracy.
 *
 * Layout: the eigenvectors are kept as the *rows* of a working matrix W (W = Vᵀ), so every transformation of
 * the eigenvector basis (a Householder reflection or a Givens rotation applied on the right of V) becomes an
 * operation on whole contiguous rows of W; W is transposed into the column layout once at the end.
 */
import { fixColumnSigns, sortedIndices } from './jacobi.js';

/** float64 machine epsilon (2⁻⁵²): an off-diagonal entry this small relative to its neighbours is zero. */
const EPS = 2 ** -52;
/** QL steps allowed per eigenvalue on average (LAPACK's dsteqr allows 30); ~2 are needed in practice. */
const MAX_STEPS_PER_EIGENVALUE = 30;

/**
 * Eigenvalues and eigenvectors of the symmetric n×n matrix `a` (row-major, read in full; the caller
 * symmetrises it). Same contract as jacobiEigh: the eigenvalues in ascending order and the eigenvectors as the
 * columns of a row-major n×n matrix, each with its largest-magnitude component positive. `a` is overwritten.
 *
 * @throws Error if the QL iteration has not converged after 30·n steps (not seen on finite input).
 */
export function tridiagonalEigh(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0) };
  // Scale by a power of two (exact) so that the largest entry is ~1: squares of entries in the Householder
  // norms then neither overflow nor underflow, whatever the input's magnitude.
  let largest = 0;
  for (let i = 0; i < n * n; i++) largest = Math.max(largest, Math.abs(a[i]!));
  const scale = largest > 0 ? 2 ** Math.round(Math.log2(largest)) : 1;
  if (scale !== 1) for (let i = 0; i < n * n; i++) a[i] = a[i]! / scale;

  const d = new Float64Array(n); // diagonal of T
  const e = new Float64Array(n); // e[i] = T[i+1, i], the subdiagonal; e[n-1] = 0
  const beta = new Float64Array(n); // H_k = I - beta[k]·v vᵀ, v stored in row k of `a`
  tridiagonalise(a, n, d, e, beta);
  const w = accumulateReflections(a, n, beta);
  qlIterate(d, e, w, n);

  const order = sortedIndices(d, 'ascending');
  const values = Float64Array.from(order, (i) => d[i]! * scale);
  // Row order[j] of W is the eigenvector of eigenvalue j: it becomes column j.
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const row = order[j]! * n;
    for (let k = 0; k < n; k++) vectors[k * n + j] = w[row + k]!;
  }
  fixColumnSigns(vectors, n, n);
  return { values, vectors };
}

/**
 * Reduces A to tridiagonal T = Qᵀ A Q with Q = H_0 H_1 ··· H_{n-3}. Step k reflects rows and columns k+1..n-1
 * so that column k (equivalently, by symmetry, row k) has zeros below the subdiagonal. Rows and columns 0..k
 * are final after step k, so the trailing block A22 = A[k+1.., k+1..] is all that changes. Only the upper
 * triangle (diagonal included) is read and kept up to date, so every access runs along a row: row k's part
 * right of the diagonal, which by symmetry is the column being annihilated, is contiguous.
 *
 * With v the Householder vector and β = 2/vᵀv, H A22 H = A22 - v wᵀ - w vᵀ where p = β A22 v and
 * w = p - (β/2)(pᵀv) v (Golub & Van Loan §8.3.1): one symmetric matrix-vector product and one symmetric
 * rank-2 update, ~4(n-k)² flops per step on the triangle, ~4n³/3 in all.
 *
 * On return d and e hold T, and row k of `a` right of the diagonal holds v_k (beta[k] = 0: no reflection).
 */
function tridiagonalise(
  a: Float64Array,
  n: number,
  d: Float64Array,
  e: Float64Array,
  beta: Float64Array,
): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const row = k * n;
    d[k] = a[row + k]!;
    // x = A[k, k+1..] (= the column below the diagonal). Reflect x onto ∓‖x‖·e1, the sign opposite x0's so
    // that v0 = x0 ± ‖x‖ adds two numbers of the same sign (no cancellation).
    let tailNorm2 = 0;
    for (let j = k + 2; j < n; j++) tailNorm2 += a[row + j]! ** 2;
    const x0 = a[row + k + 1]!;
    if (tailNorm2 === 0) {
      // Already tridiagonal in this column: H = I.
      e[k] = x0;
      beta[k] = 0;
      continue;
    }
    const norm = Math.sqrt(x0 * x0 + tailNorm2);
    const alpha = x0 >= 0 ? -norm : norm;
    e[k] = alpha;
    a[row + k + 1] = x0 - alpha; // v = x - alpha·e1, kept in row k for the accumulation
    // vᵀv = (x0 - α)² + ‖tail‖² = 2‖x‖(‖x‖ + |x0|), so β = 2/vᵀv without forming the sum.
    const b = 1 / (norm * (norm + Math.abs(x0)));
    beta[k] = b;
    for (let j = k + 1; j < n; j++) v[j] = a[row + j]!;

    // p = β A22 v from the upper triangle alone: row i right of the diagonal is also column i below it, so
    // each stored entry adds to two components of the product (a dot product and an axpy along the row).
    for (let i = k + 1; i < n; i++) p[i] = 0;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = v[i]!;
      let s = a[ri + i]! * vi;
      for (let j = i + 1; j < n; j++) {
        const aij = a[ri + j]!;
        s += aij * v[j]!;
        p[j] = p[j]! + aij * vi;
      }
      p[i] = p[i]! + s;
    }
    // K = (β/2) pᵀv, then w = p - K v.
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      p[i] = b * p[i]!;
      pv += p[i]! * v[i]!;
    }
    const half = (b / 2) * pv;
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - half * v[i]!; // p becomes w
    // A22 -= v wᵀ + w vᵀ, upper triangle.
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = v[i]!;
      const wi = p[i]!;
      for (let j = i; j < n; j++) a[ri + j] = a[ri + j]! - vi * p[j]! - wi * v[j]!;
    }
  }
  // The last 2×2 block needs no reflection.
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2]!;
    e[n - 2] = a[(n - 2) * n + n - 1]!;
  }
  if (n >= 1) d[n - 1] = a[n * n - 1]!;
  e[n - 1] = 0;
}

/**
 * W = Qᵀ = H_{n-3} ··· H_1 H_0 (each H_k symmetric), built from the right as ((I·H_{n-3})·H_{n-4})···H_0. In
 * that order, before H_k is applied W is the identity outside its trailing block from row/column k+2, so
 * W·H_k = W - β (W v) vᵀ touches only rows and columns k+1..: a dot product with each row, then an update of
 * the same (still cached) row. This is the cheap "backward accumulation" (Golub & Van Loan §5.1.6): ~4n³/3 flops.
 */
function accumulateReflections(a: Float64Array, n: number, beta: Float64Array): Float64Array {
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) w[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const b = beta[k]!;
    if (b === 0) continue;
    const vrow = k * n; // v_j = a[vrow + j] for j ≥ k+1
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let j = k + 1; j < n; j++) s += w[ri + j]! * a[vrow + j]!;
      const f = b * s;
      for (let j = k + 1; j < n; j++) w[ri + j] = w[ri + j]! - f * a[vrow + j]!;
    }
  }
  return w;
}

/**
 * Diagonalises the symmetric tridiagonal T (diagonal d, subdiagonal e) by implicit QL steps, overwriting d with
 * the eigenvalues (unsorted) and rotating the rows of W along (W ← Gᵀ W for each rotation G, which keeps
 * row i of W the eigenvector of A that belongs to d[i]).
 *
 * For each l from the top, find the first m ≥ l with e[m] negligible, so that T[l..m] is an unreduced block.
 * If m = l, d[l] is an eigenvalue; otherwise do one QL step on T[l..m] and look again. A QL step with shift μ
 * is T - μI = QL, T ← LQ + μI, done implicitly: a rotation in the plane (m-1, m) chosen from the bottom of
 * T - μI creates a bulge that rotations in the planes (m-2, m-1) … (l, l+1) chase up and out of the top.
 * μ is the Wilkinson shift, the eigenvalue of the top 2×2 block [[d_l, e_l], [e_l, d_{l+1}]] nearer d_l, which
 * makes e[l] converge to zero cubically in practice and always at least quadratically
 * (Golub & Van Loan §8.3.5, with the roles of the two ends swapped, as QL works from the bottom up).
 */
function qlIterate(d: Float64Array, e: Float64Array, w: Float64Array, n: number): void {
  let tNorm = 0;
  for (let i = 0; i < n; i++) tNorm = Math.max(tNorm, Math.abs(d[i]!) + Math.abs(e[i]!));
  // Entries below this are far under anything float32 (or the O(ε‖A‖) accuracy of the result) can see; it
  // stops the relative test from chasing an e[m] between two exactly-zero diagonal entries forever.
  const floor = tNorm * 1e-30;
  const negligible = (m: number): boolean => {
    const em = Math.abs(e[m]!);
    return em <= floor || em <= EPS * (Math.abs(d[m]!) + Math.abs(d[m + 1]!));
  };
  let stepsLeft = MAX_STEPS_PER_EIGENVALUE * n;
  // One QL step's rotations: plane (i, i+1) has cosine cosines[i] and sine sines[i].
  const cosines = new Float64Array(n);
  const sines = new Float64Array(n);
  for (let l = 0; l < n; l++) {
    for (;;) {
      let m = l;
      while (m < n - 1 && !negligible(m)) m++;
      if (m === l) break;
      if (stepsLeft-- === 0)
        throw new Error(
          `eigh: the tridiagonal QL iteration did not converge for n = ${n} after ${MAX_STEPS_PER_EIGENVALUE * n} steps`,
        );

      // Wilkinson shift μ = d_l - e_l / (θ + sign(θ)·√(θ² + 1)) with θ = (d_{l+1} - d_l) / (2 e_l); hypot
      // keeps θ² from overflowing when e_l is tiny. g starts as d_m - μ, the bottom of T - μI.
      const theta = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      const root = Math.hypot(theta, 1);
      let g = d[m]! - d[l]! + e[l]! / (theta + (theta >= 0 ? root : -root));
      let s = 1;
      let c = 1;
      let shiftOfDiagonal = 0; // how much the rotations so far have moved d[i+1] (added back at the end)
      let bulgeVanished = false;
      let firstRotated = m; // the lowest plane (i, i+1) rotated so far is firstRotated
      for (let i = m - 1; i >= l; i--) {
        // The rotation in plane (i, i+1) zeroing the bulge f = s·e_i against g (the first one: T - μI's
        // bottom entry against e_{m-1}).
        const f = s * e[i]!;
        const b = c * e[i]!;
        const r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // f and g underflowed together: T has split at i+1; undo the partial shift and deflate there.
          d[i + 1] = d[i + 1]! - shiftOfDiagonal;
          e[m] = 0;
          bulgeVanished = true;
          break;
        }
        firstRotated = i;
        s = f / r;
        c = g / r;
        // Apply it to the 2×2 block of rows/columns (i, i+1) of T; only d[i+1] is final after this rotation.
        g = d[i + 1]! - shiftOfDiagonal;
        const t = (d[i]! - g) * s + 2 * c * b;
        shiftOfDiagonal = s * t;
        d[i + 1] = g + shiftOfDiagonal;
        g = c * t - b;
        cosines[i] = c;
        sines[i] = s;
      }
      // The same rotations on the rows of W (the columns of the eigenvector matrix), in the same order.
      rotateRows(w, n, firstRotated, m, cosines, sines);
      if (bulgeVanished) continue;
      d[l] = d[l]! - shiftOfDiagonal;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/**
 * Applies one QL step's rotations to the rows of W: for i = m-1 down to `first`, rows (i, i+1) ←
 * [[c, -s], [s, c]]-combinations as the step rotated T. Two consecutive rotations share row i, so they are
 * applied in one pass over rows i+1, i and i-1 (3 loads and stores per column instead of 4): the same
 * arithmetic in the same order as one rotation at a time, with a third fewer memory operations in the loop
 * that dominates the solver's time.
 */
function rotateRows(
  w: Float64Array,
  n: number,
  first: number,
  m: number,
  cosines: Float64Array,
  sines: Float64Array,
): void {
  let i = m - 1;
  for (; i - 1 >= first; i -= 2) {
    const c1 = cosines[i]!;
    const s1 = sines[i]!;
    const c2 = cosines[i - 1]!;
    const s2 = sines[i - 1]!;
    const below = (i + 1) * n;
    const mid = i * n;
    const above = (i - 1) * n;
    for (let k = 0; k < n; k++) {
      const x = w[mid + k]!;
      const y = w[below + k]!;
      w[below + k] = s1 * x + c1 * y;
      const rotated = c1 * x - s1 * y; // row i after the first rotation
      const z = w[above + k]!;
      w[mid + k] = s2 * z + c2 * rotated;
      w[above + k] = c2 * z - s2 * rotated;
    }
  }
  if (i >= first) {
    const c = cosines[i]!;
    const s = sines[i]!;
    const below = (i + 1) * n;
    const mid = i * n;
    for (let k = 0; k < n; k++) {
      const x = w[mid + k]!;
      const y = w[below + k]!;
      w[below + k] = s * x + c * y;
      w[mid + k] = c * x - s * y;
    }
  }
}
