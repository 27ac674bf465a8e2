/**
 * `eigh` and `svd` as torch.linalg has them, for matrices and batches of them. A host computation on every
 * backend: the input is read back (asynchronously, hence the Promise), decomposed in float64 (by Jacobi
 * rotations, ./jacobi.ts, or for large symmetric matrices by tridiagonal QL, ./tridiagonal-eigh.ts), and the
 * results are made on the input's backend in its dtype. Nothing is reported to autograd: the results are
 * constants to it, like torch's under `no_grad`.
 */
import type { DType } from '../dtype.js';
import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { jacobiEigh, jacobiSvd } from './jacobi.js';
import { tridiagonalEigh } from './tridiagonal-eigh.js';
import { assertDTypeIn, assertLive } from './util.js';

const FLOATS: readonly DType[] = ['float32', 'float64'];
/**
 * The largest n that eigh decomposes by Jacobi; above it, tridiagonal QL. Jacobi gives small eigenvalues to
 * high relative accuracy and is affordable up to here (1-2 s at 256: docs/PERFORMANCE.md, "Linear algebra"); its ~10 sweeps of strided
 * rotations grow to tens of seconds at 768, where Householder + QL (O(n³) with a small constant, rows
 * contiguous) is ~tens of times faster. Results at n ≤ 256 are exactly Jacobi's, as before this switch existed.
 */
const JACOBI_MAX_N = 256;

/** What {@link eigh} returns (the fields of torch.linalg.eigh's named tuple). */
export interface EighResult {
  /** `[..., n]`: the eigenvalues of each matrix, ascending. */
  readonly eigenvalues: Tensor;
  /** `[..., n, n]`: the unit eigenvectors, as columns (column j belongs to eigenvalue j). */
  readonly eigenvectors: Tensor;
}

/** Options of {@link eigh}. */
export interface EighOptions {
  /** Which triangle is read (torch's `UPLO`): 'L' (default) the lower one, 'U' the upper; the other is ignored. */
  readonly uplo?: 'L' | 'U';
}

/** What {@link svd} returns (the fields of torch.linalg.svd's named tuple). */
export interface SvdResult {
  /** `[..., m, k]` with k = min(m, n): orthonormal left singular vectors, as columns. */
  readonly U: Tensor;
  /** `[..., k]`: the singular values, descending. */
  readonly S: Tensor;
  /** `[..., k, n]`: orthonormal right singular vectors, as rows. */
  readonly Vh: Tensor;
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix, or of each matrix of a batch [..., n, n]
 * (torch.linalg.eigh): A = V diag(λ) Vᵀ with λ ascending and V orthonormal.
 *
 * As in torch, only one triangle is read (the lower one unless `uplo: 'U'`), so a non-symmetric input is
 * decomposed as the symmetric matrix that triangle defines. Eigenvectors are unique only up to sign (and,
 * for a repeated eigenvalue, up to a rotation within its eigenspace); here each has its largest-magnitude
 * component positive (the first such component on a tie), which torch does not promise, so compare with
 * torch's up to sign.
 *
 * A host computation on every backend: the input is read back, decomposed on the CPU in float64 and the
 * results made on the input's backend in its dtype (float32, or float64 on the CPU). For n ≤ 256 the method is
 * cyclic Jacobi: small eigenvalues to high relative accuracy, affordable at that size. Above 256 it is
 * Householder tridiagonalisation then implicit QL with Wilkinson shifts: O(n³) with a small constant (tens of
 * times faster than Jacobi at n = 768, e.g. a ViT-B feature covariance), eigenvalues to an absolute accuracy
 * of a small multiple of n·ε·‖A‖ in float64. Not differentiable: the results are new tensors autograd does
 * not see, whether or not the input requires grad.
 *
 * @throws ShapeError for a tensor of rank < 2 or with non-square matrices; DTypeError for a non-float dtype;
 *   ArgumentError for NaN or infinite entries in the triangle read; Error if the QL iteration (n > 256) does
 *   not converge (not seen on finite input).
 */
export async function eigh(a: Tensor, options: EighOptions = {}): Promise<EighResult> {
  assertLive('eigh', a, 'a');
  const uplo = options.uplo ?? 'L';
  if (uplo !== 'L' && uplo !== 'U')
    throw new ArgumentError('eigh', `uplo must be 'L' or 'U', got ${JSON.stringify(uplo)}`);
  const { batch, rows: n, cols } = matrixDims('eigh', a);
  if (n !== cols)
    throw new ShapeError('eigh', `expects square matrices [..., n, n], got ${fmtShape(a.shape)} ${a.dtype}`);
  const data = await readHost(a);
  const values = new Float64Array(batch * n);
  const vectors = new Float64Array(batch * n * n);
  for (let b = 0; b < batch; b++) {
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        // Element (i, j) of the lower triangle, or its mirror (j, i) of the upper one.
        const x = uplo === 'L' ? data[b * n * n + i * n + j]! : data[b * n * n + j * n + i]!;
        if (!Number.isFinite(x)) throw nonFinite('eigh', a);
        m[i * n + j] = x;
        m[j * n + i] = x;
      }
    }
    const r = n <= JACOBI_MAX_N ? jacobiEigh(m, n) : tridiagonalEigh(m, n);
    values.set(r.values, b * n);
    vectors.set(r.vectors, b * n * n);
  }
  const lead = a.shape.slice(0, -2);
  const eigenvalues = make(values, [...lead, n], a);
  return { eigenvalues, eigenvectors: make(vectors, [...lead, n, n], a) };
}

/**
 * The reduced singular value decomposition of a matrix, or of each matrix of a batch [..., m, n]
 * (torch.linalg.svd with full_matrices=false): A = U diag(S) Vh with k = min(m, n), U [..., m, k] and
 * Vh [..., k, n] orthonormal (columns of U, rows of Vh) and S descending. Singular vectors are unique only up
 * to a sign shared by a column of U and the matching row of Vh; here each row of Vh has its largest-magnitude
 * component positive, which torch does not promise. For a rank-deficient matrix the columns of U that belong
 * to zero singular values are still orthonormal (some orthonormal completion, as LAPACK's).
 *
 * A host computation on every backend (read back, one-sided Jacobi in float64 on the CPU, results made on the
 * input's backend in its dtype), meant for small matrices. Not differentiable: the results are new tensors
 * autograd does not see.
 *
 * @throws ShapeError for a tensor of rank < 2; DTypeError for a non-float dtype; ArgumentError for NaN or
 *   infinite entries (torch refuses them too).
 */
export async function svd(a: Tensor): Promise<SvdResult> {
  assertLive('svd', a, 'a');
  const { batch, rows: m, cols: n } = matrixDims('svd', a);
  const k = Math.min(m, n);
  const data = await readHost(a);
  if (!data.every(Number.isFinite)) throw nonFinite('svd', a);
  const U = new Float64Array(batch * m * k);
  const S = new Float64Array(batch * k);
  const Vh = new Float64Array(batch * k * n);
  for (let b = 0; b < batch; b++) {
    const r = jacobiSvd(data.slice(b * m * n, (b + 1) * m * n), m, n);
    U.set(r.u, b * m * k);
    S.set(r.s, b * k);
    Vh.set(r.vt, b * k * n);
  }
  const lead = a.shape.slice(0, -2);
  const s = make(S, [...lead, k], a);
  const u = make(U, [...lead, m, k], a);
  return { U: u, S: s, Vh: make(Vh, [...lead, k, n], a) };
}

/** Checks the dtype and rank of a batch of matrices [..., rows, cols]; the batch is the product of the rest. */
function matrixDims(op: string, a: Tensor): { batch: number; rows: number; cols: number } {
  assertDTypeIn(op, a, FLOATS);
  if (a.rank < 2)
    throw new ShapeError(
      op,
      `expects a matrix or a batch of matrices [..., m, n], got ${fmtShape(a.shape)} ${a.dtype}`,
    );
  const rows = a.shape[a.rank - 2]!;
  const cols = a.shape[a.rank - 1]!;
  return { batch: rows * cols === 0 ? 0 : a.size / (rows * cols), rows, cols };
}

/** The values of `a`, row-major, in float64 (a read, which autograd does not see). */
async function readHost(a: Tensor): Promise<Float64Array> {
  return Float64Array.from(await a.data());
}

/** A result tensor on `like`'s backend in its dtype (float32 rounds the float64 values once). */
function make(values: Float64Array, shape: readonly number[], like: Tensor): Tensor {
  return tensor(like.dtype === 'float64' ? values : Float32Array.from(values), {
    shape,
    backend: like.backend.name,
  });
}

function nonFinite(op: string, a: Tensor): ArgumentError {
  return new ArgumentError(op, `the input ${fmtShape(a.shape)} ${a.dtype} has NaN or infinite entries`);
}
