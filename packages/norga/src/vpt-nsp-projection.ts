/**
 * VPT-NSP's null space (Lu et al., NeurIPS 2024): a prompt update ΔP [M, D] of one layer leaves the previous tasks'
 * outputs of that layer (approximately) unchanged when
 *
 *   (self-attention logits)  X·W_q·W_kᵀ·ΔPᵀ = 0   every query, mapped into the prompt's input space, is ⊥ ΔP's rows
 *   (attention output)       A_P·ΔP = 0           the attention the previous tasks' tokens pay to the M prompts
 *
 * and LayerNorm keeps each prompt token's mean and deviation (the LN loss in vpt-nsp.ts, so that ΔLN(P) follows
 * ΔP). Each condition's space is the span of rows seen on earlier tasks, summarised by an uncentred covariance,
 * C₁ = Σ_batches mean_rows(qᵀq) [D, D] and C₂ = Σ_batches mean_rows(aᵀa) [M, M], summed over the tasks. After
 * a task, each C's eigenvectors with the small eigenvalues (the adaptive threshold below) span its approximate null
 * space U₀, and the update is projected as ΔP ← P₂·ΔP·P₁ with
 *
 *   P = η·B + (1 − η)·I,   B = U₀U₀ᵀ / ‖U₀U₀ᵀ‖_F
 *
 * as the official code (zugexiaodui/VPTinNSforCL, train_eval.py get_update_projection_dict) does; η < 1 lets a
 * little of the update through outside the null space.
 */
import { eigh, matmul, type Tensor, tensor, transpose } from '@norga/tensor';

/**
 * The official adaptive threshold: with s the eigenvalues in descending order, the elbow is where the second
 * difference of s is largest, and the null space is the eigenvectors from the one after the elbow on (with values
 * equal to the elbow's kept out of it). From 128 values on, as the official code, the second difference is taken of
 * s smoothed by a Gaussian (σ = 10, scipy's gaussian_filter1d: radius 40, reflected edges) and 1.5 % of it is
 * dropped at each end. Returns the index, in descending order, of the first null-space eigenvalue (at least one
 * value is kept out of the null space, at least one is in it). Needs 3 values or more.
 */
export function nullSpaceStart(descending: ArrayLike<number>): number {
  const n = descending.length;
  if (n < 3) throw new RangeError(`nullSpaceStart: needs at least 3 eigenvalues, got ${n}`);
  const curve = n >= 128 ? gaussianSmooth(descending, 10) : Array.from(descending);
  const drop = n >= 128 ? Math.floor((n * 0.03) / 2) : 0;
  let best = drop;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = drop; i + 2 < n - drop; i++) {
    const d2 = curve[i]! - 2 * curve[i + 1]! + curve[i + 2]!;
    if (d2 > bestValue) {
      bestValue = d2;
      best = i;
    }
  }
  // The official index: the largest i with s[i] >= s[best + 1] (equal values stay on the kept side).
  const threshold = descending[best + 1]!;
  let start = best + 1;
  while (start + 1 < n && descending[start + 1]! >= threshold) start++;
  return start;
}

/** scipy.ndimage.gaussian_filter1d(x, sigma) with its defaults: truncate 4, mode 'reflect' (d c b a | a b c d). */
export function gaussianSmooth(x: ArrayLike<number>, sigma: number): number[] {
  const n = x.length;
  const radius = Math.floor(4 * sigma + 0.5);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, k) =>
    Math.exp((-0.5 * (k - radius) ** 2) / sigma ** 2),
  );
  const total = weights.reduce((a, b) => a + b, 0);
  const at = (j: number): number => {
    let i = j;
    while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
    return x[i]!;
  };
  return Array.from({ length: n }, (_, i) => {
    let sum = 0;
    for (let k = -radius; k <= radius; k++) sum += weights[k + radius]! * at(i + k);
    return sum / total;
  });
}

/**
 * The projection P = η·B + (1 − η)·I, `[n, n]` row-major float64, of the symmetric positive semi-definite `cov`
 * (`[n, n]`): B the normalised projector onto the eigenvectors of its small eigenvalues (nullSpaceStart).
 */
export async function nullSpaceProjection(cov: Float64Array, n: number, eta: number): Promise<Float64Array> {
  const c = tensor(Float32Array.from(cov), { shape: [n, n] });
  const { eigenvalues, eigenvectors } = await eigh(c);
  c.dispose();
  const ascending = (await eigenvalues.data()) as Float32Array;
  const vectors = (await eigenvectors.data()) as Float32Array; // columns, eigenvalue j in column j
  eigenvalues.dispose();
  eigenvectors.dispose();
  const descending = Array.from(ascending).reverse();
  const start = nullSpaceStart(descending);
  // Descending index i ≥ start is ascending column n − 1 − i: the columns 0 … n − 1 − start.
  const cols = n - start;
  const b = new Float64Array(n * n);
  for (let j = 0; j < cols; j++) {
    for (let r = 0; r < n; r++) {
      const vr = vectors[r * n + j]!;
      for (let s = 0; s < n; s++) b[r * n + s]! += vr * vectors[s * n + j]!;
    }
  }
  let norm = 0;
  for (const x of b) norm += x * x;
  norm = Math.sqrt(norm);
  const p = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let s = 0; s < n; s++) p[r * n + s] = (eta * b[r * n + s]!) / norm + (r === s ? 1 - eta : 0);
  }
  return p;
}

/** ΔP [M, D] ← P₂ [M, M] · ΔP · P₁ [D, D], all row-major (the projection of one layer's prompt update). */
export function projectUpdate(update: Tensor, tokens: Tensor, features: Tensor): Tensor {
  return matmul(matmul(tokens, update), features);
}

/** The uncentred covariance rowsᵀ·rows / k of the k rows of `rows` [..., n] (all leading axes are rows): [n, n]. */
export function uncentredCovariance(rows: Tensor): Tensor {
  const n = rows.shape[rows.rank - 1]!;
  const flat = rows.reshape([rows.size / n, n]);
  return matmul(transpose(flat), flat).div(flat.shape[0]!);
}
