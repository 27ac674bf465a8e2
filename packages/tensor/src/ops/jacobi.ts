/**
 * Eigendecomposition of a symmetric matrix and singular value decomposition by Jacobi rotations, in float64 on
 * plain arrays (the tensor front end is ./linalg.ts).
 *
 * Why Jacobi: the matrices here are small (n ≤ ~256: feature covariances, prompt subspaces), so an O(n³) per
 * sweep method that converges in ~10 sweeps is affordable (bench/linalg.mjs times n = 64, 128, 256), and
 * Jacobi is the shortest correct algorithm there is (no Householder tridiagonalisation, no shifted QR, no
 * deflation logic). It is also the most accurate: rotating until every off-diagonal pair is negligible
 * *relative to its own diagonal entries* gives the small eigenvalues of a positive definite matrix (and small
 * singular values) to high relative accuracy (Demmel & Veselić, 1992), which is what a null-space projection
 * built from the smallest eigenvalues of a covariance needs. Working in float64 leaves float32 results with
 * little more error than their own rounding, up to the conditioning of the problem.
 */

/** float64 unit roundoff: a pair is treated as already rotated once it is this small relative to its scale. */
const EPS = 2 ** -53;
/** Sweeps before giving up; quadratic convergence needs ~log2(digits) sweeps past the first few, so ~10-15. */
const MAX_SWEEPS = 60;

/**
 * The tangent of the Jacobi rotation that zeroes the off-diagonal entry `apq` of the symmetric 2×2
 * [[app, apq], [apq, aqq]]: the smaller of the two roots (|angle| ≤ π/4), which keeps the rotation close to the
 * identity and the iteration convergent (Golub & Van Loan, Matrix Computations §8.5.2).
 */
function rotationTangent(app: number, aqq: number, apq: number): number {
  const theta = (aqq - app) / (2 * apq);
  // hypot(θ, 1) does not overflow for huge θ, where t → 1/(2θ).
  return (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.hypot(theta, 1));
}

/**
 * Eigenvalues and eigenvectors of the symmetric n×n matrix `a` (row-major, read in full; the caller
 * symmetrises it), by the cyclic two-sided Jacobi method. Returns the eigenvalues in ascending order and the
 * eigenvectors as the columns of a row-major n×n matrix, each with its largest-magnitude component positive.
 * `a` is overwritten.
 */
export function jacobiEigh(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const v = identity(n);
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm += a[i]! * a[i]!;
  // Pairs below this are noise far under float32's resolution of the result; it also stops the relative test
  // from chasing entries between two exactly-zero diagonal entries.
  const floor = Math.sqrt(norm) * 1e-30;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        if (
          Math.abs(apq) <= floor ||
          Math.abs(apq) <= EPS * Math.sqrt(Math.abs(app)) * Math.sqrt(Math.abs(aqq))
        )
          continue;
        rotated = true;
        const t = rotationTangent(app, aqq, apq);
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        // A ← Jᵀ A J with J the rotation in the (p, q) plane: columns p and q, then (by symmetry) rows p and q.
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          const kp = c * akp - s * akq;
          const kq = s * akp + c * akq;
          a[k * n + p] = kp;
          a[p * n + k] = kp;
          a[k * n + q] = kq;
          a[q * n + k] = kq;
        }
        a[p * n + p] = app - t * apq;
        a[q * n + q] = aqq + t * apq;
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        rotateColumns(v, n, n, p, q, c, s);
      }
    }
    if (!rotated) break;
  }
  const diag = Float64Array.from({ length: n }, (_, i) => a[i * n + i]!);
  const order = sortedIndices(diag, 'ascending');
  const values = Float64Array.from(order, (i) => diag[i]!);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) vectors[k * n + j] = v[k * n + order[j]!]!;
  fixColumnSigns(vectors, n, n);
  return { values, vectors };
}

/**
 * Thin SVD of the row-major m×n matrix `a`: A = U diag(S) Vᵀ with k = min(m, n), U m×k and Vᵀ k×n (both
 * row-major) and S descending. Each right singular vector (row of Vᵀ) has its largest-magnitude component
 * positive, the matching column of U flipped with it.
 */
export function jacobiSvd(
  a: Float64Array,
  m: number,
  n: number,
): { u: Float64Array; s: Float64Array; vt: Float64Array } {
  let u: Float64Array;
  let s: Float64Array;
  let vt: Float64Array;
  if (m >= n) ({ u, s, vt } = svdTall(a, m, n));
  else {
    // Aᵀ = U' S V'ᵀ is tall, and A = V' S U'ᵀ: U = V' (= V'ᵀ transposed), Vᵀ = U'ᵀ.
    const at = transpose(a, m, n);
    const tall = svdTall(at, n, m);
    s = tall.s;
    u = transpose(tall.vt, m, m);
    vt = transpose(tall.u, n, m);
  }
  const k = s.length;
  for (let r = 0; r < k; r++) {
    if (largestComponent(vt, r * n, 1, n) >= 0) continue;
    for (let i = 0; i < n; i++) vt[r * n + i] = -vt[r * n + i]!;
    for (let i = 0; i < m; i++) u[i * k + r] = -u[i * k + r]!;
  }
  return { u, s, vt };
}

/**
 * Thin SVD of a tall m×n matrix (m ≥ n) by one-sided (Hestenes) Jacobi: rotate pairs of columns of A until
 * they are mutually orthogonal, accumulating the rotations in V; the column norms are then the singular values
 * and the normalised columns the left singular vectors. Columns of U whose singular value is zero to working
 * precision are completed to an orthonormal set (they multiply nothing, but U must stay orthonormal, as
 * LAPACK's is).
 */
function svdTall(
  a: Float64Array,
  m: number,
  n: number,
): { u: Float64Array; s: Float64Array; vt: Float64Array } {
  // Column-major, so a column is contiguous for the dot products and rotations.
  const w = transpose(a, m, n);
  const v = identity(n); // column-major V
  const tolerance = Math.sqrt(m) * EPS;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = w[p * m + i]!;
          const y = w[q * m + i]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        // Columns p and q are orthogonal to working precision relative to their own lengths: √m ulps, the
        // rounding noise of a length-m dot product (LAPACK dgesvj's tolerance). A tighter test keeps rotating
        // that noise for several times as many sweeps.
        if (gamma === 0 || Math.abs(gamma) <= tolerance * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        rotated = true;
        // The rotation that diagonalises the 2×2 Gram matrix [[α, γ], [γ, β]] of the two columns.
        const t = rotationTangent(alpha, beta, gamma);
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        rotateContiguousColumns(w, m, p, q, c, s);
        rotateContiguousColumns(v, n, p, q, c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = Float64Array.from({ length: n }, (_, j) => {
    let ss = 0;
    for (let i = 0; i < m; i++) ss += w[j * m + i]! ** 2;
    return Math.sqrt(ss);
  });
  const order = sortedIndices(norms, 'descending');
  const s = Float64Array.from(order, (j) => norms[j]!);
  // numpy/torch matrix_rank's threshold: a column shorter than this is rounding noise, not a direction.
  const negligible = (s[0] ?? 0) * Math.max(m, n) * EPS * 2;
  const u = new Float64Array(m * n); // row-major
  const vt = new Float64Array(n * n); // row-major: row k of Vᵀ is column order[k] of V
  const filled: number[] = [];
  const empty: number[] = [];
  for (let k = 0; k < n; k++) {
    const j = order[k]!;
    for (let i = 0; i < n; i++) vt[k * n + i] = v[j * n + i]!;
    if (s[k]! > negligible) {
      for (let i = 0; i < m; i++) u[i * n + k] = w[j * m + i]! / s[k]!;
      filled.push(k);
    } else empty.push(k);
  }
  for (const k of empty) {
    completeColumn(u, m, n, k, filled);
    filled.push(k);
  }
  return { u, s, vt };
}

/** The transpose of a row-major rows×cols matrix (equivalently: row-major to column-major). */
function transpose(x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

/** The n×n identity, as a Float64Array (row- or column-major alike). */
function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** Indices of `values` sorted by value (stable, so equal values keep their order). */
export function sortedIndices(values: Float64Array, direction: 'ascending' | 'descending'): number[] {
  const idx = Array.from(values, (_, i) => i);
  const sign = direction === 'ascending' ? 1 : -1;
  return idx.sort((i, j) => sign * (values[i]! - values[j]!));
}

/** Applies the rotation [[c, s], [-s, c]] to columns p and q of the row-major rows×cols matrix x. */
function rotateColumns(
  x: Float64Array,
  rows: number,
  cols: number,
  p: number,
  q: number,
  c: number,
  s: number,
): void {
  for (let k = 0; k < rows; k++) {
    const xp = x[k * cols + p]!;
    const xq = x[k * cols + q]!;
    x[k * cols + p] = c * xp - s * xq;
    x[k * cols + q] = s * xp + c * xq;
  }
}

/** The same rotation on columns p and q of a column-major matrix with `rows` rows. */
function rotateContiguousColumns(
  x: Float64Array,
  rows: number,
  p: number,
  q: number,
  c: number,
  s: number,
): void {
  for (let i = 0; i < rows; i++) {
    const xp = x[p * rows + i]!;
    const xq = x[q * rows + i]!;
    x[p * rows + i] = c * xp - s * xq;
    x[q * rows + i] = s * xp + c * xq;
  }
}

/** The signed value of the largest-magnitude entry of a strided vector (the first one on ties). */
function largestComponent(x: Float64Array, start: number, stride: number, length: number): number {
  let best = 0;
  for (let i = 0; i < length; i++) {
    const e = x[start + i * stride]!;
    if (Math.abs(e) > Math.abs(best)) best = e;
  }
  return best;
}

/**
 * The sign convention for vectors defined only up to sign: flip each column of the row-major rows×cols
 * matrix x whose largest-magnitude component is negative.
 */
export function fixColumnSigns(x: Float64Array, rows: number, cols: number): void {
  for (let j = 0; j < cols; j++) {
    if (largestComponent(x, j, cols, rows) >= 0) continue;
    for (let k = 0; k < rows; k++) x[k * cols + j] = -x[k * cols + j]!;
  }
}

/**
 * Fills column k of the row-major m×n matrix u with a unit vector orthogonal to its orthonormal columns
 * `filled`: the standard basis vector with the largest part outside their span, orthogonalised twice
 * (classical Gram-Schmidt needs the second pass to be orthogonal to working precision). Some basis vector
 * always keeps a squared part ≥ (m - filled.length)/m ≥ 1/m outside the span.
 */
function completeColumn(u: Float64Array, m: number, n: number, k: number, filled: readonly number[]): void {
  const residual = (i: number): Float64Array => {
    const r = new Float64Array(m);
    r[i] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const j of filled) {
        let dot = 0;
        for (let row = 0; row < m; row++) dot += u[row * n + j]! * r[row]!;
        for (let row = 0; row < m; row++) r[row] = r[row]! - dot * u[row * n + j]!;
      }
    }
    return r;
  };
  let best: Float64Array = new Float64Array(m);
  let bestNorm = -1;
  for (let i = 0; i < m; i++) {
    const r = residual(i);
    const norm = Math.sqrt(r.reduce((acc, x) => acc + x * x, 0));
    if (norm > bestNorm) {
      best = r;
      bestNorm = norm;
    }
    // Good enough: more than half of the basis vector lies outside the span, so no accuracy is lost.
    if (norm * norm >= 0.5) break;
  }
  for (let row = 0; row < m; row++) u[row * n + k] = best[row]! / bestNorm;
}
